import { describe, expect, it } from "vitest";
import { MAX_JSON_BODY } from "../../src/app";
import { call, createChannel, expectError, newUser, send } from "../helpers/api";

describe("error envelope and limits", () => {
  it("answers unknown routes with a JSON 404", async () => {
    const res = await call("GET", "/nope");
    expectError(res, 404, "NOT_FOUND");
    expect(res.headers.get("Content-Type")).toContain("application/json");
    const user = await newUser();
    expectError(await call("PATCH", "/v1/channels", { token: user.token }), 404, "NOT_FOUND");
  });

  it("answers malformed JSON with 400 and changes nothing", async () => {
    const user = await newUser();
    const res = await call("POST", "/v1/channels", {
      token: user.token,
      rawBody: '{"type": "group", "name": ',
      headers: { "Content-Type": "application/json" },
    });
    expectError(res, 400, "VALIDATION_FAILED");
    expect((await call("GET", "/v1/channels", { token: user.token })).json).toEqual([]);
  });

  it("answers a non-JSON body with 415 and a missing body with 400", async () => {
    const user = await newUser();
    const form = await call("POST", "/v1/channels", { token: user.token, rawBody: "type=group", headers: { "Content-Type": "text/plain" } });
    expectError(form, 415, "UNSUPPORTED_MEDIA_TYPE");
    expectError(await call("POST", "/v1/channels", { token: user.token }), 400, "VALIDATION_FAILED");
  });

  it("answers bodies over 64 KiB with 413 PAYLOAD_TOO_LARGE", async () => {
    const user = await newUser();
    const body = { type: "group", name: "big", padding: "x".repeat(MAX_JSON_BODY) };
    expectError(await call("POST", "/v1/channels", { token: user.token, body }), 413, "PAYLOAD_TOO_LARGE");
    expect((await call("GET", "/v1/channels", { token: user.token })).json).toEqual([]);
  });

  it("names each invalid field in details", async () => {
    const user = await newUser();
    const res = await call("POST", "/v1/channels", { token: user.token, body: { type: "group", name: 5 } });
    const err = expectError(res, 400, "VALIDATION_FAILED");
    expect(err.details).toEqual([expect.objectContaining({ in: "json", path: "name" })]);
  });

  it("never answers 500 to hostile input on any route", async () => {
    const user = await newUser();
    const group = await createChannel(user, { type: "group", name: "G" });
    const message = await send(user, group.id, "hello");
    const m = `/v1/channels/${group.id}/messages`;
    const junk = [
      null, 0, "x", [], { type: null }, { user_id: {} }, { role: [] }, { hidden: null }, { name: "\u0000" },
      { body: null }, { body: "x", attachments: "no" }, { body: "x", attachments: [{}] }, { body: "x", inline_emotes: [null] },
      { body: "x", inline_emotes: [{ shortcode: "a", asset_id: 1e30, start_index: 0, end_index: 1 }] },
      { emote_asset_id: null }, { emote_asset_id: -1 }, { last_read_message_id: 1234567890123456789 },
    ];
    const paths = [
      ["POST", "/v1/channels"],
      ["PUT", `/v1/channels/${group.id}`],
      ["POST", `/v1/channels/${group.id}/members`],
      ["PUT", `/v1/channels/${group.id}/members/me`],
      ["PUT", `/v1/channels/${group.id}/members/${user.id}`],
      ["POST", "/v1/dev/token"],
      ["POST", m],
      ["PUT", `${m}/${message.id}`],
      ["POST", `${m}/${message.id}/reactions`],
      ["POST", `/v1/channels/${group.id}/read`],
    ] as const;
    for (const [method, path] of paths) {
      for (const body of junk) {
        const res = await call(method, path, { token: user.token, body });
        expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBeLessThan(500);
        expect(res.json?.error?.code ?? "ok").toBeTypeOf("string");
      }
    }
    for (const path of [
      "/v1/channels/%00",
      "/v1/channels/1%2F2/members",
      "/v1/rooms?limit=abc",
      "/v1/rooms?before[]=1",
      `${m}?limit=1e3`,
      `${m}?before=${"9".repeat(19)}`,
      `${m}?around=1000000000000000000`,
      `${m}/${message.id}/reactions/abc`,
    ]) {
      expect((await call("GET", path, { token: user.token })).status).toBeLessThan(500);
    }
  });
});

describe("request metadata", () => {
  it("sends X-Request-Id (echoing a sane incoming one) and Server-Timing with D1 rows", async () => {
    const user = await newUser();
    const res = await call("GET", "/v1/channels", { token: user.token });
    expect(res.headers.get("X-Request-Id")).toMatch(/^[\w-]{8,}$/);
    expect(res.headers.get("Server-Timing")).toMatch(/^d1;dur=[\d.]+;desc="\d+ queries", d1-rows-read;desc="\d+", d1-rows-written;desc="\d+", total;dur=[\d.]+$/);
    const echoed = await call("GET", "/v1/channels", { token: user.token, headers: { "X-Request-Id": "trace-abc-123" } });
    expect(echoed.headers.get("X-Request-Id")).toBe("trace-abc-123");
    expect((await call("GET", "/nope")).headers.get("X-Request-Id")).toBeTruthy();
  });

  it("counts D1 rows written when something is written", async () => {
    const user = await newUser();
    const res = await call("POST", "/v1/channels", { token: user.token, body: { type: "group", name: "G" } });
    const written = Number(res.headers.get("Server-Timing")!.match(/d1-rows-written;desc="(\d+)"/)![1]);
    expect(written).toBeGreaterThanOrEqual(2);
  });
});

describe("rate limiting", () => {
  it("answers 429 RATE_LIMITED with Retry-After past 600 requests a minute per user, and only for that user", async () => {
    const [greedy, calm] = [await newUser(), await newUser()];
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 700 && !limited; i++) {
      const res = await call("GET", "/v1/users/me", { token: greedy.token });
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(200);
    }
    expect(limited).toBeDefined();
    expectError(limited!, 429, "RATE_LIMITED");
    expect(Number(limited!.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await call("GET", "/v1/users/me", { token: calm.token })).status).toBe(200);
  });
});

describe("OpenAPI", () => {
  it("serves an OpenAPI 3.1 document generated from the route schemas, and /docs", async () => {
    const res = await call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe("3.1.0");
    const paths = Object.keys(res.json.paths);
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
    expect(res.json.paths["/v1/channels"].post.requestBody.content["application/json"].schema).toBeDefined();
    expect(res.json.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    const docs = await call("GET", "/docs");
    expect(docs.status).toBe(200);
    expect(docs.text).toContain("/openapi.json");
  });
});
