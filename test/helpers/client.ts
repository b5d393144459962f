import { exports } from "cloudflare:workers";
import { hc } from "hono/client";
import type { AppType } from "../../src/index";

/**
 * A typed client for the app (Hono's `hc` over the app's route types), going through the real
 * Worker entrypoint: paths, params, bodies and answers are checked by the compiler.
 */
export function api(token?: string, headers: Record<string, string> = {}) {
  return hc<AppType>("http://api.test", {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(input, init)),
    headers: token ? { Authorization: `Bearer ${token}`, ...headers } : headers,
  });
}
