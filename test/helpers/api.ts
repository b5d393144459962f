import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import type { InferRequestType, InferResponseType } from "hono/client";
import type { ErrorCode } from "../../src/platform/errors";
import { signUserToken } from "../../src/platform/tokens";
import { type Client, api, rawRequest } from "./client";

export interface TestUser {
  id: string;
  name: string;
  token: string;
}

type ChannelsRoute = Client["v1"]["channels"];
type MessagesRoute = ChannelsRoute[":channelID"]["messages"];
export type CreateChannelBody = InferRequestType<ChannelsRoute["$post"]>["json"];
export type SendMessageBody = InferRequestType<MessagesRoute["$post"]>["json"];
export type SendMessageHeaders = InferRequestType<MessagesRoute["$post"]>["header"];
export type Channel = InferResponseType<ChannelsRoute["$post"], 201>;
export type ChannelListItem = InferResponseType<ChannelsRoute["$get"], 200>[number];
export type Message = InferResponseType<MessagesRoute["$post"], 201>;
export type Attachment = InferResponseType<Client["v1"]["attachments"]["$post"], 201>;

/** What both the typed client and `rawRequest` answer: enough to check status, headers and body. */
export interface AnyResponse {
  readonly status: number;
  readonly headers: Headers;
  text(): Promise<string>;
}

type JsonOf<R> = R extends { json(): Promise<infer T> } ? T : never;
/** The body the route declares for `status`; `any` for raw responses, which declare nothing. */
export type BodyAt<R extends AnyResponse, S extends number> = number extends R["status"] ? any : JsonOf<Extract<R, { status: S }>>;

/** Reads a body exactly once: parsed JSON when the answer is JSON, `undefined` when it is empty. */
async function readBody(res: AnyResponse): Promise<{ text: string; json: any }> {
  const text = await res.text();
  const isJson = text !== "" && (res.headers.get("Content-Type") ?? "").includes("json");
  return { text, json: isJson ? JSON.parse(text) : undefined };
}

/**
 * Asserts the status and returns the body, typed as the route declares it for that status (the
 * status itself must be one the route declares). Reads the body, so call it once per response.
 */
export async function expectStatus<R extends AnyResponse, S extends R["status"]>(res: R | Promise<R>, status: S): Promise<BodyAt<R, S>> {
  const r = await res;
  const { text, json } = await readBody(r);
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${text}`);
  return json;
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

const isCallResult = (res: object): res is CallResult => typeof (res as CallResult).text === "string";

function checkError(got: number, text: string, json: any, status: number, code: string): ErrorBody {
  if (got !== status || json?.error?.code !== code || typeof json.error.message !== "string") {
    throw new Error(`expected ${status} ${code}, got ${got} ${text}`);
  }
  return json.error;
}

/**
 * Asserts `/v1`'s error envelope `{"error": {"code", "message", "details"?}}` with this status and
 * code, and returns the error: `await expectError(res, 403, "CHAT_NOT_MEMBER")`. Takes a response
 * of the typed client or of `rawRequest` (or the promise of one) and reads its body, so call it
 * once per response. (A legacy `call` result is checked synchronously.)
 */
export function expectError(res: AnyResponse | Promise<AnyResponse>, status: number, code: ErrorCode): Promise<ErrorBody>;
export function expectError(res: CallResult, status: number, code: string): ErrorBody;
export function expectError(res: AnyResponse | Promise<AnyResponse> | CallResult, status: number, code: string): Promise<ErrorBody> | ErrorBody {
  if (isCallResult(res)) return checkError(res.status, res.text, res.json, status, code);
  return (async () => {
    const r = await (res as AnyResponse | Promise<AnyResponse>);
    const { text, json } = await readBody(r);
    return checkError(r.status, text, json, status, code);
  })();
}

let counter = 0;
/** A unique id per call, so tests sharing a file's D1 never collide. */
export const uniqueId = (prefix = "u") => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** A user with a valid token, known to the API (one authenticated request made). */
export async function newUser(name = "Test User"): Promise<TestUser> {
  const id = uniqueId();
  const { token } = await signUserToken(env.JWT_SECRET, id, name);
  await expectStatus(api(token).v1.users.me.$get(), 200);
  return { id, name, token };
}

/** Creates a channel as `owner` (201, or 200 for an existing DM) and returns it. */
export async function createChannel(owner: TestUser, body: CreateChannelBody): Promise<Channel> {
  const res = await api(owner.token).v1.channels.$post({ json: body });
  const status: number = res.status; // the declared 200 | 201, or an error
  if (status !== 201 && status !== 200) throw new Error(`createChannel failed: ${status} ${await res.text()}`);
  return res.json();
}

/** POST …/members as `actor`: the response, for the test to check. */
export function addMember(actor: TestUser, channelId: string, userId: string, role?: "member" | "admin") {
  return api(actor.token).v1.channels[":channelID"].members.$post({ param: { channelID: channelId }, json: { user_id: userId, role } });
}

/** Sends a message; asserts 201 and returns the message object. */
export async function send(user: TestUser, channelId: string, body: string | SendMessageBody, header: SendMessageHeaders = {}): Promise<Message> {
  const res = api(user.token).v1.channels[":channelID"].messages.$post({
    param: { channelID: channelId },
    json: typeof body === "string" ? { body } : body,
    header,
  });
  return expectStatus(res, 201);
}

/**
 * The caller's view of one channel in GET /v1/channels (include_hidden), once the channel's room has
 * everything it accepted in D1 — its directory updates go through a queue, so counts trail by about a
 * second (DESIGN §12).
 */
export async function listed(user: TestUser, channelId: string): Promise<ChannelListItem | undefined> {
  await settled(channelId);
  const channels = await expectStatus(api(user.token).v1.channels.$get({ query: { include_hidden: "true" } }), 200);
  return channels.find((c) => c.id === channelId);
}

/**
 * POST /v1/attachments with raw bytes: the route is typed, the body is not (the client has no
 * binary body option, so the bytes go in `init`).
 */
export function upload(user: TestUser, bytes: Uint8Array, contentType = "application/octet-stream", filename = "file.bin") {
  return api(user.token).v1.attachments.$post(undefined, {
    headers: { "Content-Type": contentType, "X-Filename": encodeURIComponent(filename), "Content-Length": String(bytes.byteLength) },
    init: { body: bytes },
  });
}

/**
 * UNTYPED on purpose: fetches an absolute URL the API handed out (the signed `/files` and
 * `/uploads` URLs, whose query is the credential) through the Worker.
 */
export function fetchUrl(url: string, init: RequestInit = {}) {
  return exports.default.fetch(new Request(url, init));
}

/** A signed URL with its signature's first character changed (never to itself: "A" would be a no-op 1 time in 64). */
export const tamperedSignature = (url: string) => url.replace(/sig=(.)/, (_m, c: string) => `sig=${c === "A" ? "B" : "A"}`);

/** What the legacy `call` answers: the body already read. */
export interface CallResult {
  status: number;
  headers: Headers;
  json: any;
  text: string;
}

/**
 * LEGACY and UNTYPED: kept only for test/integration.test.ts, which is being rewritten on another
 * branch. Everything else uses `api()` (typed) or, for what the types forbid, `rawRequest()`.
 */
/** Options of the legacy untyped `call`. */
export interface CallOptions {
  token?: string;
  body?: unknown;
  rawBody?: BodyInit;
  headers?: Record<string, string>;
}

export async function call(method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
  const res = await rawRequest(method, path, { token: opts.token, json: opts.body, body: opts.rawBody, headers: opts.headers });
  const { text, json } = await readBody(res);
  return { status: res.status, headers: res.headers, json, text };
}

/** Waits until the channel's room has everything it accepted in D1, shard and directory (see `listed`). */
export async function settled(channelId: string) {
  await env.CHANNEL_ROOM.getByName(channelId).settle();
}
