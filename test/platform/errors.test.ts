import { describe, expect, it } from "vitest";
import { MAX_JSON_BODY } from "../../src/app";
import { type TestUser, createChannel, expectError, expectStatus, newUser, send } from "../helpers/api";
import { api, invalid, rawRequest } from "../helpers/client";

const myChannels = (user: TestUser) => expectStatus(api(user.token).v1.channels.$get({ query: { include_hidden: "true" } }), 200);

describe("error envelope and limits", () => {
  it("answers unknown routes with a JSON 404", async () => {
    const res = await rawRequest("GET", "/nope");
    expect(res.headers.get("Content-Type")).toContain("application/json");
    await expectError(res, 404, "NOT_FOUND");
    const user = await newUser();
    await expectError(rawRequest("PATCH", "/v1/channels", { token: user.token }), 404, "NOT_FOUND");
  });

  it("answers malformed JSON with 400 and changes nothing", async () => {
    const user = await newUser();
    const res = rawRequest("POST", "/v1/channels", {
      token: user.token,
      body: '{"type": "group", "name": ',
      headers: { "Content-Type": "application/json" },
    });
    await expectError(res, 400, "VALIDATION_FAILED");
    expect(await myChannels(user)).toEqual([]);
  });

  it("answers a non-JSON body with 415 and a missing body with 400", async () => {
    const user = await newUser();
    const form = rawRequest("POST", "/v1/channels", { token: user.token, body: "type=group", headers: { "Content-Type": "text/plain" } });
    const refused = await expectError(form, 415, "UNSUPPORTED_MEDIA_TYPE");
    expect(refused.message).toContain("Content-Type: application/json");
    await expectError(rawRequest("POST", "/v1/channels", { token: user.token }), 400, "VALIDATION_FAILED");
    expect(await myChannels(user)).toEqual([]);
  });

  it("answers bodies over 64 KiB with 413 PAYLOAD_TOO_LARGE", async () => {
    const user = await newUser();
    const body = { type: "group", name: "big", padding: "x".repeat(MAX_JSON_BODY) };
    await expectError(api(user.token).v1.channels.$post({ json: invalid(body) }), 413, "PAYLOAD_TOO_LARGE");
    expect(await myChannels(user)).toEqual([]);
  });

  it("names each invalid field in details", async () => {
    const user = await newUser();
    const err = await expectError(api(user.token).v1.channels.$post({ json: invalid({ type: "group", name: 5 }) }), 400, "VALIDATION_FAILED");
    expect(err.details).toEqual([expect.objectContaining({ in: "json", path: "name" })]);
  });

  it("never answers 500 to hostile input on any route: each gets its documented answer and changes nothing", async () => {
    const user = await newUser();
    const group = await createChannel(user, { type: "group", name: "G" });
    const message = await send(user, group.id, "hello");
    const m = `/v1/channels/${group.id}/messages`;
    const junk: unknown[] = [
      null, 0, "x", [], { type: null }, { user_id: {} }, { role: [] }, { hidden: null }, { name: "\u0000" },
      { body: null }, { body: "x", attachments: "no" }, { body: "x", attachments: [{}] }, { body: "x", inline_emotes: [null] },
      { body: "x", inline_emotes: [{ shortcode: "a", asset_id: 1e30, start_index: 0, end_index: 1 }] },
      { emote_asset_id: null }, { emote_asset_id: -1 }, { last_read_message_id: 1234567890123456789 },
    ];
    const isObject = (body: unknown): body is Record<string, unknown> => typeof body === "object" && body !== null && !Array.isArray(body);
    const VALIDATION = { status: 400, code: "VALIDATION_FAILED" } as const;
    type Expected = typeof VALIDATION | { status: 400; code: "CHAT_EMPTY_MESSAGE" } | { status: 200 };
    const routes: [method: string, path: string, expected: (body: unknown) => Expected][] = [
      ["POST", "/v1/channels", () => VALIDATION],
      ["PUT", `/v1/channels/${group.id}`, () => VALIDATION],
      ["POST", `/v1/channels/${group.id}/members`, () => VALIDATION],
      ["PUT", `/v1/channels/${group.id}/members/me`, () => VALIDATION],
      ["PUT", `/v1/channels/${group.id}/members/${user.id}`, () => VALIDATION],
      ["POST", "/v1/dev/token", () => VALIDATION],
      // A send names no required field: an object with none of its fields is an empty message.
      ["POST", m, (body) => (isObject(body) && !["body", "attachments", "inline_emotes"].some((k) => k in body) ? { status: 400, code: "CHAT_EMPTY_MESSAGE" } : VALIDATION)],
      // An edit takes body and inline_emotes; other fields (attachments) are ignored like any unknown field.
      ["PUT", `${m}/${message.id}`, (body) => (isObject(body) && typeof body.body === "string" && !("inline_emotes" in body) ? { status: 200 } : VALIDATION)],
      ["POST", `${m}/${message.id}/reactions`, () => VALIDATION],
      ["POST", `/v1/channels/${group.id}/read`, () => VALIDATION],
    ];
    /** Everything these routes could change, as the user sees it. */
    const snapshot = async () => ({
      channels: await myChannels(user),
      channel: await expectStatus(api(user.token).v1.channels[":channelID"].$get({ param: { channelID: group.id } }), 200),
      members: await expectStatus(api(user.token).v1.channels[":channelID"].members.$get({ param: { channelID: group.id }, query: {} }), 200),
      messages: await expectStatus(api(user.token).v1.channels[":channelID"].messages.$get({ param: { channelID: group.id }, query: {} }), 200),
    });
    for (const [method, path, expected] of routes) {
      const before = await snapshot();
      let edited = false;
      for (const body of junk) {
        const res = rawRequest(method, path, { token: user.token, json: body });
        const want = expected(body);
        const label = `${method} ${path} ${JSON.stringify(body)}`;
        if (want.status === 200) {
          expect(await expectStatus(await res, 200), label).toMatchObject({ id: message.id, body: "x" });
          edited = true;
        } else {
          await expectError(res, want.status, want.code).catch((e: Error) => {
            throw new Error(`${label}: ${e.message}`);
          });
        }
      }
      const after = await snapshot();
      if (edited) {
        // The only change: the message's text (and with it edited_at).
        const [was, is] = [before.messages.messages[0]!, after.messages.messages[0]!];
        expect(is).toEqual({ ...was, body: "x", edited_at: expect.any(Number) });
        expect({ ...after, messages: before.messages }).toEqual(before);
      } else {
        expect(after, `${method} ${path} changed something`).toEqual(before);
      }
    }

    const page = await expectStatus(api(user.token).v1.channels[":channelID"].messages.$get({ param: { channelID: group.id }, query: {} }), 200);
    const rooms = await expectStatus(api(user.token).v1.rooms.$get({ query: {} }), 200);
    const reads: [path: string, status: number, code?: "CHAT_CHANNEL_NOT_FOUND" | "VALIDATION_FAILED" | "NOT_FOUND", body?: unknown][] = [
      ["/v1/channels/%00", 404, "CHAT_CHANNEL_NOT_FOUND"],
      ["/v1/channels/1%2F2/members", 404, "CHAT_CHANNEL_NOT_FOUND"],
      ["/v1/rooms?limit=abc", 400, "VALIDATION_FAILED"],
      ["/v1/rooms?before[]=1", 200, undefined, rooms], // an unknown query parameter is ignored
      [`${m}?limit=1e3`, 400, "VALIDATION_FAILED"],
      [`${m}?before=${"9".repeat(19)}`, 200, undefined, page], // a well-formed cursor after everything
      [`${m}?around=1000000000000000000`, 200, undefined, { ...page, has_more_after: false }], // …and one before everything
      [`${m}/${message.id}/reactions/abc`, 404, "NOT_FOUND"], // reactions/{emoteID} has no GET
    ];
    for (const [path, status, code, body] of reads) {
      const res = rawRequest("GET", path, { token: user.token });
      if (code) await expectError(res, status, code);
      else expect(await expectStatus(await res, status), path).toEqual(body);
    }
  });
});

describe("request metadata", () => {
  it("sends X-Request-Id (echoing a sane incoming one) and Server-Timing with D1 rows", async () => {
    const user = await newUser();
    const res = await api(user.token).v1.channels.$get({ query: {} });
    await expectStatus(res, 200);
    expect(res.headers.get("X-Request-Id")).toMatch(/^[\w-]{8,}$/);
    expect(res.headers.get("Server-Timing")).toMatch(/^d1;dur=[\d.]+;desc="\d+ queries", d1-rows-read;desc="\d+", d1-rows-written;desc="\d+", d1-round-trips;desc="\d+", total;dur=[\d.]+$/);
    const echoed = await api(user.token, { "X-Request-Id": "trace-abc-123" }).v1.channels.$get({ query: {} });
    await expectStatus(echoed, 200);
    expect(echoed.headers.get("X-Request-Id")).toBe("trace-abc-123");
    const unknown = await rawRequest("GET", "/nope");
    expect(unknown.headers.get("X-Request-Id")).toMatch(/^[\w-]{8,}$/);
    await expectError(unknown, 404, "NOT_FOUND");
  });

  it("counts D1 rows written when something is written", async () => {
    const user = await newUser();
    const res = await api(user.token).v1.channels.$post({ json: { type: "group", name: "G" } });
    await expectStatus(res, 201);
    const written = Number(res.headers.get("Server-Timing")!.match(/d1-rows-written;desc="(\d+)"/)![1]);
    expect(written).toBeGreaterThanOrEqual(2);
  });
});

describe("rate limiting", () => {
  // USER_RATE_LIMITER allows 600 requests per 60 s per user (wrangler.toml), counted in windows
  // aligned to the wall-clock minute: a burst that straddles a window boundary gets a fresh budget
  // halfway through, so its outcome would be luck. The test starts the burst only when the window
  // has time left for it, checks afterwards that it fit in one window, and repeats it in the next
  // window (with a new user) if it did not.
  const LIMIT = 600;
  const WINDOW_MS = 60_000;
  const windowOf = (ms: number) => Math.floor(ms / WINDOW_MS);
  const timeLeft = () => WINDOW_MS - (Date.now() % WINDOW_MS);

  /** Waits until the current window has at least `ms` left (polling the condition, not a fixed sleep). */
  async function untilWindowHasLeft(ms: number) {
    while (timeLeft() < ms) await new Promise((resolve) => setTimeout(resolve, Math.min(250, timeLeft())));
  }

  it("answers 429 RATE_LIMITED with Retry-After past 600 requests a minute per user (one request of lag, a parallel burst included), and only for that user", async () => {
    const calm = await newUser();
    for (let attempt = 1; ; attempt++) {
      await untilWindowHasLeft(attempt === 1 ? 40_000 : WINDOW_MS - 2_000);
      const start = Date.now();
      const greedy = await newUser(); // request 1 of the window
      const me = api(greedy.token).v1.users.me;
      const statuses: number[] = [];
      const get = async (): Promise<number> => (await me.$get()).status;
      const BURST = 40;
      for (let sent = 1; sent < LIMIT - BURST / 2; ) {
        const batch = Math.min(25, LIMIT - BURST / 2 - sent);
        statuses.push(...(await Promise.all(Array.from({ length: batch }, get))));
        sent += batch;
      }
      // 40 at once with 20 left: the 20 pass, and at most one more on the lag (not the whole burst).
      const burst = await Promise.all(Array.from({ length: BURST }, get));
      // Past the budget every later request is refused (the burst's refusals gate them).
      const lagged = await me.$get();
      const beforeRefusal = Date.now();
      const refused = await me.$get();
      const end = Date.now();
      if (windowOf(start) !== windowOf(end)) {
        await Promise.all([lagged.text(), refused.text()]);
        if (attempt < 3) continue; // not this test's verdict: the window rolled over mid-burst
        throw new Error(`three bursts of ${LIMIT + 1} requests did not fit in one ${WINDOW_MS / 1000} s window`);
      }
      expect(statuses).toEqual(Array(LIMIT - 1 - BURST / 2).fill(200));
      expect(burst.filter((s) => s === 200).length).toBeGreaterThanOrEqual(BURST / 2);
      expect(burst.filter((s) => s === 200).length).toBeLessThanOrEqual(BURST / 2 + 1);
      expect(burst.filter((s) => s === 429).length).toBe(BURST - burst.filter((s) => s === 200).length);
      expect(lagged.status).toBe(429);
      const retryAfter = refused.headers.get("Retry-After");
      await expectError(refused, 429, "RATE_LIMITED");
      // Whole seconds, at most the window, and long enough that a retry lands in a fresh window.
      expect(retryAfter).toMatch(/^\d+$/);
      expect(Number(retryAfter)).toBeLessThanOrEqual(WINDOW_MS / 1000);
      expect(Number(retryAfter) * 1000).toBeGreaterThanOrEqual((windowOf(beforeRefusal) + 1) * WINDOW_MS - beforeRefusal);
      expect(await expectStatus(api(calm.token).v1.users.me.$get(), 200)).toEqual({ id: calm.id, display_name: calm.name, dnd_until: null });
      break;
    }
  }, 300_000);
});

describe("OpenAPI", () => {
  it("serves an OpenAPI 3.1 document generated from the route schemas, and /docs", async () => {
    // Not part of the app's typed routes (mounted for humans and generators).
    const doc = await expectStatus(rawRequest("GET", "/openapi.json"), 200);
    expect(doc.openapi).toBe("3.1.0");
    const paths = Object.keys(doc.paths);
    for (const p of [
      "/v1/channels",
      "/v1/channels/{channelID}",
      "/v1/channels/{channelID}/members",
      "/v1/channels/{channelID}/members/{userID}",
      "/v1/channels/{channelID}/members/me",
      "/v1/rooms",
      "/v1/users/me/blocks",
      "/v1/users/me/blocks/{userID}",
      "/admin/v1/users/{userID}",
      "/v1/channels/{channelID}/messages",
      "/v1/channels/{channelID}/messages/{messageID}",
      "/v1/channels/{channelID}/messages/{messageID}/reactions",
      "/v1/channels/{channelID}/messages/{messageID}/reactions/{emoteID}",
      "/v1/channels/{channelID}/read",
    ]) {
      expect(paths).toContain(p);
    }
    expect(doc.paths["/v1/channels"].post.requestBody.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/CreateChannel" });
    expect(doc.components.schemas.CreateChannel.oneOf).toHaveLength(2);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    const docs = await rawRequest("GET", "/docs");
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain(`<script src="/docs/swagger-init.js"></script>`); // it loads /openapi.json (test/browser/docs.test.ts)
  });
});
