import { exports } from "cloudflare:workers";
import { hc } from "hono/client";
import type { AppType } from "../../src/index";

const ORIGIN = "http://api.test";

/**
 * A typed client for the app (Hono's `hc` over the app's route types), going through the real
 * Worker entrypoint: paths, params, bodies and answers are checked by the compiler. Every test
 * request goes through it unless it deliberately sends what the types forbid (see `rawRequest`,
 * `invalid`).
 */
export function api(token?: string, headers: Record<string, string> = {}) {
  return hc<AppType>(ORIGIN, {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(input, init)),
    headers: token ? { Authorization: `Bearer ${token}`, ...headers } : headers,
  });
}

export type Client = ReturnType<typeof api>;

/**
 * A body or query the route's types forbid (a wrong type, a missing or out-of-range field, a
 * non-object), sent on purpose through the typed client to test validation: the method, path and
 * params stay compile-checked, only this value is not. Use it for nothing else.
 */
export const invalid = (value: unknown): never => value as never;

export interface RawRequestOptions {
  token?: string;
  /** JSON-encoded (with `Content-Type: application/json` unless one is given). */
  json?: unknown;
  /** Sent as-is: malformed JSON, form data, raw bytes, streams. */
  body?: BodyInit;
  headers?: Record<string, string>;
}

/**
 * UNTYPED on purpose: one request through the Worker entrypoint with nothing checked by the
 * compiler. Only for what the typed client cannot or must not express: malformed JSON, non-JSON
 * content types, unknown paths and methods, hostile input (raw path segments, encoded NULs,
 * duplicate query keys), raw upload bytes and multipart bodies, WebSocket upgrades, and the signed
 * `/files` and `/uploads` URLs the API hands out. Everything else goes through `api()`.
 */
export function rawRequest(method: string, path: string, opts: RawRequestOptions = {}): Promise<Response> {
  const headers = new Headers(opts.headers);
  if (opts.token) headers.set("Authorization", `Bearer ${opts.token}`);
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  const url = /^https?:\/\//.test(path) ? path : `${ORIGIN}${path}`;
  return exports.default.fetch(new Request(url, { method, headers, body }));
}
