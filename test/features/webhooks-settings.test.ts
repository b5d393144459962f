/** /admin/v1/webhooks: the documented answers, and refused requests change nothing. */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { call, expectError } from "../helpers/api";
import { admin } from "../helpers/integration";
import { appWebhook, receiver } from "../helpers/webhooks";

/** An admin call to the real Worker as deployed: DEV_LOGIN off (the test config turns it on). */
async function adminDeployed(method: string, path: string, body?: unknown) {
  const ctx = createExecutionContext();
  const init = { method, headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}`, "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) };
  const res = await worker.fetch(new Request(`http://api.test${path}`, init), { ...env, DEV_LOGIN: "false" }, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, json: (await res.json()) as any };
}

const list = async () => (await admin("GET", "/admin/v1/webhooks")).json.webhooks as { id: number; url: string }[];

describe("app webhook settings", () => {
  it("creates, lists, reads, updates and deletes; never shows the secret", async () => {
    const { url } = receiver();
    const created = await appWebhook({ url, events: ["message", "message", "reaction_add"], secret: "top secret" });
    expect(created).toEqual({ id: expect.any(Number), url, events: ["message", "reaction_add"], has_secret: true, disabled: false, created_at: expect.any(Number), updated_at: expect.any(Number) });
    expect(JSON.stringify(await list())).not.toContain("top secret");
    expect((await list()).map((w) => w.id)).toContain(created.id);
    expect((await admin("GET", `/admin/v1/webhooks/${created.id}`)).json).toEqual(created);
    const patched = await admin("PATCH", `/admin/v1/webhooks/${created.id}`, { events: ["*", "message"], secret: null });
    expect(patched.json).toMatchObject({ id: created.id, events: ["*"], has_secret: false });
    expect((await admin("DELETE", `/admin/v1/webhooks/${created.id}`)).status).toBe(204);
    expectError(await admin("GET", `/admin/v1/webhooks/${created.id}`), 404, "NOT_FOUND");
    expectError(await admin("DELETE", `/admin/v1/webhooks/${created.id}`), 404, "NOT_FOUND");
    expect((await list()).map((w) => w.id)).not.toContain(created.id);
  });

  it("refuses targets that are not public https: 400 VALIDATION_FAILED naming url, nothing stored", async () => {
    const before = await list();
    for (const url of [
      "http://example.com/hook", // http off loopback
      "ftp://example.com/hook",
      "https://10.0.0.1/hook",
      "https://172.16.5.4/hook",
      "https://192.168.1.10/hook",
      "https://169.254.169.254/latest/meta-data", // cloud metadata
      "https://100.64.0.1/",
      "https://0.0.0.0/",
      "https://0xa000001/", // 10.0.0.1, spelled in hex
      "https://[fd00::1]/",
      "https://[fe80::1]/",
      "https://[::ffff:10.0.0.1]/",
      "https://[64:ff9b:1::a00:1]/", // local-use NAT64 (RFC 8215): some private network's translator
      "https://printer.local/",
      "https://metadata.google.internal/",
      "https://intranet/",
      "https://user:pass@example.com/",
      "not a url",
    ]) {
      const res = await admin("POST", "/admin/v1/webhooks", { url, events: ["message"] });
      const error = expectError(res, 400, "VALIDATION_FAILED");
      expect(JSON.stringify(error.details), url).toContain('"path":"url"');
    }
    expect(await list()).toEqual(before);
  });

  it("refuses ports other than 443 and 80 once deployed (400 VALIDATION_FAILED naming url); any port while DEV_LOGIN=true", async () => {
    const before = await list();
    for (const url of ["https://hooks.example.com:8443/x", "https://hooks.example.com:6379/", "https://8.8.8.8:22/"]) {
      const res = await adminDeployed("POST", "/admin/v1/webhooks", { url, events: ["message"] });
      expect(res.status, url).toBe(400);
      expect(res.json.error).toMatchObject({ code: "VALIDATION_FAILED", details: [{ in: "json", path: "url", code: "custom", message: "url must use port 443 or 80" }] });
    }
    expect(await list()).toEqual(before);
    for (const url of ["https://hooks.example.com/x", "https://hooks.example.com:443/x", "https://hooks.example.com:80/x"]) {
      const res = await adminDeployed("POST", "/admin/v1/webhooks", { url, events: ["message"] });
      expect(res.status, url).toBe(201);
      await admin("DELETE", `/admin/v1/webhooks/${res.json.id}`);
    }
    const dev = await admin("POST", "/admin/v1/webhooks", { url: "https://hooks.example.com:8443/x", events: ["message"] });
    expect(dev.status).toBe(201);
    await admin("DELETE", `/admin/v1/webhooks/${dev.json.id}`);
  });

  it("allows http to loopback while DEV_LOGIN=true (how tests and local development receive them)", async () => {
    for (const url of ["http://127.0.0.1:9/x", "http://localhost:9/x", "http://[::1]:9/x"]) {
      const res = await admin("POST", "/admin/v1/webhooks", { url, events: ["message"] });
      expect(res.status, url).toBe(201);
      await admin("DELETE", `/admin/v1/webhooks/${res.json.id}`);
    }
  });

  it("validates events, secret and the body; PATCH refuses the same and leaves the webhook as it was", async () => {
    const before = await list();
    const { url } = receiver();
    for (const body of [
      { url, events: [] },
      { url, events: ["typing"] },
      { url, events: ["message_created"] },
      { url },
      { events: ["message"] },
      { url, events: ["message"], secret: "" },
      { url, events: ["message"], secret: "x".repeat(257) },
      { url: 42, events: ["message"] },
    ]) {
      expectError(await admin("POST", "/admin/v1/webhooks", body), 400, "VALIDATION_FAILED");
    }
    expect(await list()).toEqual(before);

    const hook = await appWebhook({ url, events: ["message"], secret: "s" });
    const path = `/admin/v1/webhooks/${hook.id}`;
    for (const change of [{}, { url: "https://10.1.2.3/" }, { url: "http://example.com/" }, { events: [] }, { events: ["nope"] }, { disabled: "yes" }]) {
      expectError(await admin("PATCH", path, change), 400, "VALIDATION_FAILED");
    }
    expect((await admin("GET", path)).json).toEqual(hook);
  });

  it("answers 404 for unknown ids, 400 for malformed ones, 401 without the admin token", async () => {
    expectError(await admin("GET", "/admin/v1/webhooks/999999"), 404, "NOT_FOUND");
    expectError(await admin("PATCH", "/admin/v1/webhooks/999999", { disabled: true }), 404, "NOT_FOUND");
    expectError(await admin("GET", "/admin/v1/webhooks/999999/deliveries"), 404, "NOT_FOUND");
    expectError(await admin("GET", "/admin/v1/webhooks/abc"), 400, "VALIDATION_FAILED");
    expectError(await call("GET", "/admin/v1/webhooks"), 401, "AUTH_REQUIRED");
    expectError(await call("POST", "/admin/v1/webhooks", { token: "wrong", body: { url: "https://example.com", events: ["*"] } }), 401, "AUTH_INVALID_TOKEN");
  });

  it("pages the delivery log: limit ≤ 100, before = a delivery id", async () => {
    const hook = await appWebhook({ url: receiver().url, events: ["message"] });
    const path = `/admin/v1/webhooks/${hook.id}/deliveries`;
    expect((await admin("GET", `${path}?limit=5`)).json).toEqual({ deliveries: [], has_more: false });
    expectError(await admin("GET", `${path}?limit=101`), 400, "VALIDATION_FAILED");
    expectError(await admin("GET", `${path}?before=12`), 400, "VALIDATION_FAILED");
  });
});
