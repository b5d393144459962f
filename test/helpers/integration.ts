import { env } from "cloudflare:test";
import { expect } from "vitest";
import { signUserToken } from "../../src/platform/tokens";
import { call, uniqueId, type TestUser } from "./api";

export const ALL_SCOPES = ["chat.read", "chat.write", "attachments.read", "attachments.write", "publishers.read", "settings.read", "settings.write", "settings.delete"];

export const admin = (method: string, path: string, body?: unknown) => call(method, path, { token: env.ADMIN_TOKEN, body });

export async function apiKey(scopes = ALL_SCOPES) {
  const res = await admin("POST", "/admin/v1/api-keys", { name: `key ${uniqueId()}`, scopes });
  expect(res.status).toBe(201);
  return res.json as { id: string; key: string; scopes: string[] };
}

export async function publisher(name = "Alerts Bot", imageUrl: string | null = "https://example.com/bot.png") {
  const res = await admin("POST", "/admin/v1/publishers", { name, imageUrl });
  expect(res.status).toBe(201);
  return res.json as { id: number; name: string; imageUrl: string | null };
}

export const withKey = (key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  call(method, path, { body, headers: { "X-API-KEY": key, ...headers } });

export const withToken = (token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  call(method, path, { body, headers: { Authorization: `Bearer ${token}`, ...headers } });

let counter = 0;
/** Connecteam user ids are integers: a fresh one (as a decimal string, our user id). */
export const numericId = () => String(Date.now() * 1000 + (counter++ % 1000));

/** A user whose id is an integer, known to the API. */
export async function numericUser(name = "Worker"): Promise<TestUser> {
  const id = numericId();
  const { token } = await signUserToken(env.JWT_SECRET, id, name);
  const res = await call("GET", "/v1/users/me", { token });
  if (res.status !== 200) throw new Error(`numericUser failed: ${res.status} ${res.text}`);
  return { id, name, token };
}

export const basic = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`;

/** POST /oauth/v1/token with HTTP Basic and a form body. */
export function tokenRequest(authorization: string | undefined, form: string | undefined = "grant_type=client_credentials", headers: Record<string, string> = {}) {
  return call("POST", "/oauth/v1/token", {
    rawBody: form,
    headers: {
      ...(authorization ? { Authorization: authorization } : {}),
      ...(form !== undefined ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
      ...headers,
    },
  });
}

/** An access token for a key (all its scopes, or `scope`). */
export async function accessToken(key: { id: string; key: string }, scope?: string) {
  const res = await tokenRequest(basic(key.id, key.key), `grant_type=client_credentials${scope ? `&scope=${encodeURIComponent(scope)}` : ""}`);
  expect(res.status, res.text).toBe(200);
  return res.json as { access_token: string; token_type: string; expires_in: number; scope: string };
}

/** Connecteam's error envelope for non-validation errors. */
export function expectEnvelopeError(res: { status: number; json: any }, status: number, path: string) {
  expect(res.status, JSON.stringify(res.json)).toBe(status);
  expect(res.json).toEqual({ error: expect.any(String), path, request_id: expect.any(String) });
}

/** A FastAPI 422 whose first problem is at `loc`. */
export function expect422(res: { status: number; json: any }, loc: (string | number)[], type?: string) {
  expect(res.status, JSON.stringify(res.json)).toBe(422);
  expect(res.json.detail[0]).toMatchObject({ loc, msg: expect.any(String), type: type ?? expect.any(String) });
}
