import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { createChannel, newUser } from "./helpers/api";

const APP = "https://app.example.com";
const EXPOSED = [
  "X-Request-Id", "Server-Timing", "Retry-After", "Idempotent-Replayed", "Link", "X-D1-Bookmark",
  "x-ratelimit-minute-limit", "x-ratelimit-minute-remaining", "x-ratelimit-minute-reset",
  "x-ratelimit-day-limit", "x-ratelimit-day-remaining", "x-ratelimit-day-reset",
];

/** The real Worker with CORS_ORIGINS set to `origins` (the test config leaves it empty, as wrangler.toml does). */
async function fetchWith(origins: string | undefined, path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://api.test${path}`, init), { ...env, CORS_ORIGINS: origins }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const preflight = (origin: string, method = "POST", headers = "authorization,content-type") => ({
  method: "OPTIONS",
  headers: { Origin: origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers },
});

const list = (value: string | null) => (value ?? "").split(",").map((h) => h.trim().toLowerCase());

describe("CORS", () => {
  it("answers preflights 204 without authentication, on every API surface", async () => {
    for (const path of ["/v1/channels", "/admin/v1/api-keys", "/chat/v1/conversations", "/v1/attachments", "/nowhere"]) {
      const res = await fetchWith(`http://localhost:5173, ${APP}`, path, preflight(APP));
      expect(res.status, path).toBe(204);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe(APP);
      expect(list(res.headers.get("Access-Control-Allow-Methods"))).toEqual(expect.arrayContaining(["get", "post", "put", "patch", "delete"]));
      expect(list(res.headers.get("Access-Control-Allow-Headers"))).toEqual(
        expect.arrayContaining(["authorization", "content-type", "idempotency-key", "x-api-key", "x-filename", "x-d1-bookmark"]),
      );
      expect(res.headers.get("Access-Control-Max-Age")).toBe("600");
      expect(res.headers.get("Vary")).toContain("Origin");
    }
  });

  it("adds the headers to successful responses and exposes ours", async () => {
    const alice = await newUser("Alice");
    const res = await fetchWith(APP, "/v1/users/me", { headers: { Origin: APP, Authorization: `Bearer ${alice.token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: alice.id });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(APP);
    expect(list(res.headers.get("Access-Control-Expose-Headers"))).toEqual(EXPOSED.map((h) => h.toLowerCase()));
    expect(res.headers.get("Vary")).toContain("Origin");
    expect(res.headers.get("X-Request-Id")).toBeTruthy();
    expect(res.headers.get("Server-Timing")).toContain("total");
  });

  it("adds them to error responses too (401, 404, 400), so the client can read the error", async () => {
    const invalid = { method: "POST", headers: { Origin: APP, "Content-Type": "application/json" }, body: "{" };
    for (const [path, init, status] of [
      ["/v1/users/me", { headers: { Origin: APP } }, 401],
      ["/nowhere", { headers: { Origin: APP } }, 404],
      ["/admin/v1/api-keys", { headers: { Origin: APP, Authorization: "Bearer wrong" } }, 401],
      ["/v1/dev/token", invalid, 400],
    ] as const) {
      const res = await fetchWith(APP, path, init);
      expect(res.status, path).toBe(status);
      expect(res.headers.get("Access-Control-Allow-Origin"), path).toBe(APP);
      expect(res.headers.get("Access-Control-Expose-Headers"), path).toContain("X-Request-Id");
    }
  });

  it("gives a disallowed origin no Access-Control-Allow-Origin", async () => {
    const pre = await fetchWith(APP, "/v1/channels", preflight("https://evil.example"));
    expect(pre.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const alice = await newUser();
    const res = await fetchWith(APP, "/v1/users/me", { headers: { Origin: "https://evil.example", Authorization: `Bearer ${alice.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("allows no origin at all when CORS_ORIGINS is empty or unset (preflights then meet auth)", async () => {
    for (const origins of ["", undefined, " , "]) {
      const pre = await fetchWith(origins, "/v1/channels", preflight(APP));
      expect(pre.status).toBe(401);
      expect(pre.headers.get("Access-Control-Allow-Origin")).toBeNull();
      const res = await fetchWith(origins, "/openapi.json", { headers: { Origin: APP } });
      expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    }
  });

  it("answers any origin with * when CORS_ORIGINS is *", async () => {
    const res = await fetchWith("*", "/v1/users/me", { headers: { Origin: "http://127.0.0.1:3000" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect((await fetchWith("*", "/v1/channels", preflight("null"))).status).toBe(204);
  });

  it("leaves WebSocket upgrades (101) alone", async () => {
    const alice = await newUser();
    const group = await createChannel(alice, { type: "group", name: "Sockets" });
    const res = await fetchWith("*", `/v1/channels/${group.id}/ws`, {
      headers: { Upgrade: "websocket", Origin: APP, Authorization: `Bearer ${alice.token}` },
    });
    expect(res.status).toBe(101);
    res.webSocket!.accept();
    res.webSocket!.close(1000, "done");
  });
});
