/**
 * App webhooks end to end: real requests through the Worker, the real WEBHOOKS queue (miniflare),
 * and a real HTTP receiver on loopback (test/receiver/server.mjs). Retries run without delay here
 * (WEBHOOK_RETRY_DELAYS=0,0,0,0 in vitest.config.ts).
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { addMember, call, createChannel, newUser, send } from "../helpers/api";
import { admin } from "../helpers/integration";
import { appWebhook, deliveriesOf, eventually, received, receivedBy, receiver, verifySignature } from "../helpers/webhooks";

const body = (r: { body: string }) => JSON.parse(r.body);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function group(name = "Hooks") {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const channel = await createChannel(alice, { type: "group", name, member_ids: [bob.id] });
  return { alice, bob, channel };
}

describe("app webhooks: delivery", () => {
  // Webhooks outlive a test within the file (shared D1): remove them so later tests start clean.
  afterEach(async () => {
    for (const w of (await admin("GET", "/admin/v1/webhooks")).json.webhooks) await admin("DELETE", `/admin/v1/webhooks/${w.id}`);
  });

  it("POSTs a committed message within seconds: the WebSocket event's data, signed and verifiable", async () => {
    const { bucket, url } = receiver();
    await appWebhook({ url, events: ["message"], secret: "whsec_test" });
    const { alice, channel } = await group();
    const started = Date.now();
    const message = await send(alice, channel.id, "hello hooks");
    const [got] = await received(bucket, 1);
    expect(got!.at - started).toBeLessThan(5_000);
    expect(body(got!)).toEqual({ id: expect.stringMatching(/^\d{19}$/), type: "message", created_at: expect.any(Number), channel_id: channel.id, data: message });
    // When the event happened: the message's second, or the next when the send straddled a second boundary.
    expect(body(got!).created_at - message.created_at).toBeGreaterThanOrEqual(0);
    expect(body(got!).created_at - message.created_at).toBeLessThanOrEqual(1);
    expect(got!.headers).toMatchObject({
      "content-type": "application/json",
      "x-webhook-id": expect.stringMatching(/^\d{19}$/),
      "x-webhook-attempt": "1",
      "x-webhook-signature": expect.stringMatching(/^t=\d+,v1=[0-9a-f]{64}$/),
    });
    expect(await verifySignature("whsec_test", got!.headers["x-webhook-signature"], got!.body)).toBe(true);
    expect(await verifySignature("another secret", got!.headers["x-webhook-signature"], got!.body)).toBe(false);
    expect(await verifySignature("whsec_test", got!.headers["x-webhook-signature"], got!.body.replace("hello", "HELLO"))).toBe(false);
  });

  it("sends no signature header without a secret", async () => {
    const { bucket, url } = receiver();
    await appWebhook({ url, events: ["message"] });
    const { alice, channel } = await group();
    await send(alice, channel.id, "unsigned");
    const [got] = await received(bucket, 1);
    expect(got!.headers["x-webhook-signature"]).toBeUndefined();
  });

  it("delivers only subscribed events; \"*\" gets every /v1 event, each with its WebSocket data", async () => {
    const all = receiver();
    const some = receiver();
    await appWebhook({ url: all.url, events: ["*"] });
    await appWebhook({ url: some.url, events: ["message_delete", "channel_delete"] });
    const { alice, bob, channel } = await group();
    const carol = await newUser("Carol");
    const base = `/v1/channels/${channel.id}`;
    const m = await send(alice, channel.id, "first");
    const edited = await call("PUT", `${base}/messages/${m.id}`, { token: alice.token, body: { body: "edited" } });
    await call("POST", `${base}/messages/${m.id}/reactions`, { token: bob.token, body: { emote_asset_id: "42" } });
    await call("DELETE", `${base}/messages/${m.id}/reactions/42`, { token: bob.token });
    await addMember(alice, channel.id, carol.id);
    await call("PUT", `${base}/members/${carol.id}`, { token: alice.token, body: { role: "admin" } });
    await call("DELETE", `${base}/members/${carol.id}`, { token: alice.token });
    const renamed = await call("PUT", base, { token: alice.token, body: { name: "Renamed" } });
    await call("DELETE", `${base}/messages/${m.id}`, { token: alice.token });
    expect((await call("DELETE", base, { token: alice.token })).status).toBe(204);

    const got = (await received(all.bucket, 10)).map(body);
    const byType = Object.fromEntries(got.map((e) => [e.type, e]));
    expect(Object.keys(byType).sort()).toEqual(
      ["message", "message_update", "reaction_add", "reaction_remove", "member_add", "member_update", "member_remove", "channel_update", "message_delete", "channel_delete"].sort(),
    );
    expect(got.every((e) => e.channel_id === channel.id)).toBe(true);
    expect(byType.message_update.data).toEqual(edited.json);
    expect(byType.reaction_add.data).toEqual({ message_id: m.id, emote_asset_id: "42", user_id: bob.id });
    expect(byType.member_add.data).toMatchObject({ user_id: carol.id, role: "member" });
    expect(byType.member_remove.data).toEqual({ user_id: carol.id });
    const { muted_until: _caller, ...channelForAll } = renamed.json; // the caller's own field stays out of events
    expect(byType.channel_update.data).toEqual(channelForAll);
    expect(byType.message_delete.data).toMatchObject({ id: m.id, deleted: true, body: "" });
    expect(byType.channel_delete.data).toEqual({ id: channel.id });
    // Event ids sort by time: receivers can order what arrived out of order.
    const ids = got.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);

    await received(some.bucket, 2);
    await sleep(300);
    expect((await receivedBy(some.bucket)).map(body).map((e) => e.type).sort()).toEqual(["channel_delete", "message_delete"]);
  });

  it("retries a failing receiver (500 twice, then 200) with the same X-Webhook-Id and a growing X-Webhook-Attempt", async () => {
    const { bucket, url } = receiver({ fail: 2 });
    const hook = await appWebhook({ url, events: ["message"], secret: "k" });
    const { alice, channel } = await group();
    await send(alice, channel.id, "try again");
    const got = await received(bucket, 3);
    expect(got.map((r) => r.answered)).toEqual([500, 500, 200]);
    expect(got.map((r) => r.headers["x-webhook-attempt"])).toEqual(["1", "2", "3"]);
    const id = got[0]!.headers["x-webhook-id"];
    expect(got.every((r) => r.headers["x-webhook-id"] === id)).toBe(true);
    expect(new Set(got.map((r) => r.body)).size).toBe(1); // the very same bytes every time
    for (const r of got) expect(await verifySignature("k", r.headers["x-webhook-signature"], r.body)).toBe(true);
    const log = await eventually(async () => {
      const { deliveries } = await deliveriesOf(hook.id);
      return deliveries[0]?.status === "succeeded" && deliveries;
    });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ id, event: "message", status: "succeeded", attempts: 3, last_status_code: 200, next_attempt_at: null });
    expect(log[0].attempt_log.map((a: { attempt: number; status_code: number }) => [a.attempt, a.status_code])).toEqual([[1, 500], [2, 500], [3, 200]]);
  });

  it("records a delivery as failed after the 5th attempt, and tries no more", async () => {
    const { bucket, url } = receiver({ fail: 99, status: 503 });
    const hook = await appWebhook({ url, events: ["message"] });
    const { alice, channel } = await group();
    await send(alice, channel.id, "never accepted");
    const got = await received(bucket, 5);
    expect(got.map((r) => r.headers["x-webhook-attempt"])).toEqual(["1", "2", "3", "4", "5"]);
    const [delivery] = await eventually(async () => {
      const { deliveries } = await deliveriesOf(hook.id);
      return deliveries[0]?.status === "failed" && deliveries;
    });
    expect(delivery).toMatchObject({ status: "failed", attempts: 5, last_status_code: 503, last_error: "HTTP 503", next_attempt_at: null });
    await sleep(500);
    expect(await receivedBy(bucket)).toHaveLength(5);
  });

  it("answers without waiting for the receiver", async () => {
    const { bucket, url } = receiver({ delay: 3_000 });
    await appWebhook({ url, events: ["message"] });
    const { alice, channel } = await group();
    const started = Date.now();
    await send(alice, channel.id, "slow receiver");
    const answeredIn = Date.now() - started;
    const [got] = await received(bucket, 1);
    expect(answeredIn).toBeLessThan(got!.at - started + 3_000);
    expect(answeredIn).toBeLessThan(2_500);
  });

  it("delivers nothing to disabled or deleted webhooks, and writes no delivery for them", async () => {
    const off = receiver();
    const gone = receiver();
    const on = receiver();
    const disabled = await appWebhook({ url: off.url, events: ["*"] });
    const deleted = await appWebhook({ url: gone.url, events: ["*"] });
    await appWebhook({ url: on.url, events: ["message"] });
    expect((await admin("PATCH", `/admin/v1/webhooks/${disabled.id}`, { disabled: true })).json.disabled).toBe(true);
    expect((await admin("DELETE", `/admin/v1/webhooks/${deleted.id}`)).status).toBe(204);
    const { alice, channel } = await group();
    await send(alice, channel.id, "only to the live one");
    await received(on.bucket, 1);
    await sleep(300);
    expect(await receivedBy(off.bucket)).toEqual([]);
    expect(await receivedBy(gone.bucket)).toEqual([]);
    expect((await deliveriesOf(disabled.id)).deliveries).toEqual([]);
    const rows = await env.DB.prepare("select count(*) as n from webhook_deliveries where webhook_id = ?").bind(deleted.id).first<{ n: number }>();
    expect(rows!.n).toBe(0);
  });
});
