import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { signUserToken } from "../../src/platform/tokens";

export interface TestUser {
  id: string;
  name: string;
  token: string;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is (not JSON-encoded): for malformed-body tests. */
  rawBody?: BodyInit;
  headers?: Record<string, string>;
}

/** One HTTP request through the real Worker entrypoint (routing, middleware, D1). */
export async function call(method: string, path: string, opts: CallOptions = {}) {
  const headers = new Headers(opts.headers);
  if (opts.token) headers.set("Authorization", `Bearer ${opts.token}`);
  let body = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  const res = await exports.default.fetch(new Request(`http://api.test${path}`, { method, headers, body }));
  const text = await res.text();
  const json = text && res.headers.get("Content-Type")?.includes("json") ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, json, text };
}

let counter = 0;
/** A unique id per call, so tests sharing a file's D1 never collide. */
export const uniqueId = (prefix = "u") => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** A user with a valid token, known to the API (one authenticated request made). */
export async function newUser(name = "Test User"): Promise<TestUser> {
  const id = uniqueId();
  const { token } = await signUserToken(env.JWT_SECRET, id, name);
  const res = await call("GET", "/v1/users/me", { token });
  if (res.status !== 200) throw new Error(`newUser failed: ${res.status} ${res.text}`);
  return { id, name, token };
}

/** Creates a channel as `owner`; asserts success. */
export async function createChannel(owner: TestUser, body: Record<string, unknown>) {
  const res = await call("POST", "/v1/channels", { token: owner.token, body });
  if (res.status !== 201 && res.status !== 200) throw new Error(`createChannel failed: ${res.status} ${res.text}`);
  return res.json as { id: string; type: string; name: string; owner_id: string | null };
}

export async function addMember(actor: TestUser, channelId: string, userId: string, role?: "member" | "admin") {
  return call("POST", `/v1/channels/${channelId}/members`, { token: actor.token, body: { user_id: userId, role } });
}

/** Asserts the error envelope and returns it. */
export function expectError(res: { status: number; json: any }, status: number, code: string) {
  if (res.status !== status || res.json?.error?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.json)}`);
  }
  return res.json.error as { code: string; message: string; details?: unknown };
}

/** Sends a message; asserts 201 and returns the message object. */
export async function send(user: TestUser, channelId: string, body: string | Record<string, unknown>, headers?: Record<string, string>) {
  const res = await call("POST", `/v1/channels/${channelId}/messages`, {
    token: user.token,
    body: typeof body === "string" ? { body } : body,
    headers,
  });
  if (res.status !== 201) throw new Error(`send failed: ${res.status} ${res.text}`);
  return res.json as { id: string; body: string; [k: string]: unknown };
}

/** The caller's view of one channel in GET /v1/channels (include_hidden). */
export async function listed(user: TestUser, channelId: string) {
  const res = await call("GET", "/v1/channels?include_hidden=true", { token: user.token });
  return (res.json as { id: string; unread_count: number; [k: string]: unknown }[]).find((c) => c.id === channelId);
}

/** Raw upload to POST /v1/attachments. */
export async function upload(user: TestUser, bytes: Uint8Array, contentType = "application/octet-stream", filename = "file.bin") {
  return call("POST", "/v1/attachments", {
    token: user.token,
    rawBody: bytes,
    headers: { "Content-Type": contentType, "X-Filename": encodeURIComponent(filename), "Content-Length": String(bytes.byteLength) },
  });
}

/** Fetches an absolute URL the API handed out (signed file or upload URLs) through the Worker. */
export async function fetchUrl(url: string, init: RequestInit = {}) {
  return exports.default.fetch(new Request(url, init));
}
