/**
 * Connecteam's webhook settings and chat webhook payloads, judged by its OpenAPI document
 * (test/helpers/conformance.ts): every status of the five `/settings/v1/webhooks` operations, and
 * the body of each of the six chat events, as delivered over HTTP to a real receiver, validated
 * against the schema the document gives for that webhook. Drift in either fails here.
 * (/openapi.json's documentation of these operations is compared in integration-conformance.test.ts.)
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CHAT_EVENTS } from "../src/webhooks/events";
import { addMember, call, createChannel, newUser, send } from "./helpers/api";
import { expectEveryStatusSeen, judged, key, validate, validatorFor } from "./helpers/conformance";
import { apiKey, publisher, withKey } from "./helpers/integration";
import { REFERENCE, referenceOperations } from "./helpers/openapi";
import { received, receiver, verifySignature } from "./helpers/webhooks";

const PATH = "/settings/v1/webhooks";
const ops = referenceOperations().filter((o) => o.template.startsWith(PATH));
const create = (url: string, extra: Record<string, unknown> = {}) => ({ name: "Chat events", url, featureType: "chat", eventTypes: [...CHAT_EVENTS], ...extra });

describe("/settings/v1/webhooks answers as Connecteam's OpenAPI document says", () => {
  it("POST /settings/v1/webhooks", async () => {
    const { key: k } = await apiKey();
    const res = await judged("POST", PATH, { ...key(k), body: create(receiver().url, { secretKey: "s", isDisabled: false, webhookVersion: 1 }), conformantBody: true });
    expect(res.status).toBe(200);
    await judged("POST", PATH, { ...key(k), body: create(receiver().url, { featureType: "users" }), conformantBody: true }); // 422: only chat here
    await judged("POST", PATH, { ...key(k), body: create("http://hooks.example.com/x"), conformantBody: true }); // 422: https only
    await judged("POST", PATH, { ...key(k), body: { url: receiver().url, featureType: "chat", eventTypes: ["message_created"] } }); // 422: name missing
    await judged("POST", PATH, { ...key(k), body: create(receiver().url, { eventTypes: ["clock_in"] }), conformantBody: true });
    await judged("POST", PATH, { ...key(k), body: create(receiver().url, { entityId: "1234567890123456789" }), conformantBody: true }); // 404
    await judged("POST", PATH, { body: create(receiver().url) }); // 401
    await judged("POST", PATH, { ...key((await apiKey(["settings.read"])).key), body: create(receiver().url) }); // 403
  });

  it("GET /settings/v1/webhooks", async () => {
    const { key: k } = await apiKey();
    await judged("POST", PATH, { ...key(k), body: create(receiver().url) });
    const all = await judged("GET", `${PATH}?limit=100`, key(k));
    expect(all.json.data.webhooks.length).toBeGreaterThanOrEqual(1);
    expect((await judged("GET", `${PATH}?featureType=chat&limit=1&offset=0`, key(k))).json.paging).toEqual({ offset: 1 });
    expect((await judged("GET", `${PATH}?featureType=users`, key(k))).json.data.webhooks).toEqual([]);
    await judged("GET", `${PATH}?limit=0`, key(k));
    await judged("GET", PATH, key((await apiKey(["chat.read"])).key));
  });

  it("GET, PUT and DELETE /settings/v1/webhooks/{webhookId}", async () => {
    const { key: k } = await apiKey();
    const { id } = (await judged("POST", PATH, { ...key(k), body: create(receiver().url) })).json.data;
    expect((await judged("GET", `${PATH}/${id}`, key(k))).json.data).toMatchObject({ id, featureType: "chat", eventTypes: [...CHAT_EVENTS] });
    await judged("GET", `${PATH}/abc`, key(k));
    await judged("GET", `${PATH}/987654321`, key(k));
    const update = { name: "Renamed", eventTypes: ["message_created"], isDisabled: true, secretKey: null, entityId: null };
    expect((await judged("PUT", `${PATH}/${id}`, { ...key(k), body: update, conformantBody: true })).json.data).toMatchObject({ name: "Renamed", isDisabled: true });
    await judged("PUT", `${PATH}/${id}`, { ...key(k), body: { eventTypes: [] } });
    await judged("PUT", `${PATH}/987654321`, { ...key(k), body: { name: "x" }, conformantBody: true });
    await judged("DELETE", `${PATH}/${id}`, key((await apiKey(["settings.read", "settings.write"])).key)); // 403
    expect((await judged("DELETE", `${PATH}/${id}`, key(k))).json.data).toEqual({});
    await judged("DELETE", `${PATH}/${id}`, key(k)); // 404
    await judged("DELETE", `${PATH}/x1`, key(k));
  });

  it("covered every documented status of the five operations", () => {
    expect(ops).toHaveLength(5);
    expectEveryStatusSeen(ops);
  });
});

/** The reference's webhooks by event type: "Chat message created" → message_created. */
const REFERENCE_WEBHOOKS = Object.fromEntries(
  Object.entries(REFERENCE.webhooks as Record<string, any>).map(([name, item]) => [
    name.replace(/^Chat /, "").toLowerCase().replace(/ /g, "_"),
    item.post.responses["200"].content["application/json"].schema,
  ]),
);

describe("chat webhook payloads match the reference's schemas", () => {
  it("names exactly the six events we send", () => {
    expect(Object.keys(REFERENCE_WEBHOOKS).sort()).toEqual([...CHAT_EVENTS].sort());
  });

  it("delivers each of the six events with the reference's body, signed", async () => {
    const { bucket, url } = receiver();
    const { key: k } = await apiKey();
    await withKey(k, "POST", PATH, create(url, { secretKey: "ct-secret" }));
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const pub = await publisher("Bot");
    const group = await createChannel(alice, { type: "group", name: "Mirror" }); // conversation_created
    const m = await send(alice, group.id, "hi"); // message_created
    await withKey(k, "POST", `/chat/v1/conversations/${group.id}/message`, { senderId: pub.id, text: "from the bot" }); // message_created
    await call("PUT", `/v1/channels/${group.id}/messages/${m.id}`, { token: alice.token, body: { body: "hi!" } }); // message_updated
    await call("POST", `/v1/channels/${group.id}/messages/${m.id}/reactions`, { token: alice.token, body: { emote_asset_id: "7" } }); // none
    await addMember(alice, group.id, bob.id); // conversation_updated
    await call("DELETE", `/v1/channels/${group.id}/messages/${m.id}`, { token: alice.token }); // message_deleted
    await call("DELETE", `/v1/channels/${group.id}`, { token: alice.token }); // conversation_deleted
    const got = await received(bucket, 7);
    const bodies = got.map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => b.eventType).sort()).toEqual(
      ["conversation_created", "message_created", "message_created", "message_updated", "conversation_updated", "message_deleted", "conversation_deleted"].sort(),
    );
    for (const [i, b] of bodies.entries()) {
      validate(REFERENCE_WEBHOOKS[b.eventType], b, `${b.eventType} webhook body`);
      expect(b).toMatchObject({ requestId: got[i]!.headers["x-webhook-id"], company: env.COMPANY_ID || "default", evnetTimestamp: b.eventTimestamp });
      expect(await verifySignature("ct-secret", got[i]!.headers["x-webhook-signature"], got[i]!.body)).toBe(true);
    }
    const byType = (t: string) => bodies.filter((b) => b.eventType === t).map((b) => b.data);
    expect(byType("conversation_created")).toEqual([{ conversationId: group.id, title: "Mirror", conversationType: "team", isLocked: false, isArchived: false }]);
    expect(byType("message_created")).toContainEqual(expect.objectContaining({ conversationId: group.id, senderId: pub.id, senderType: "publisher", text: "from the bot" }));
    expect(byType("message_updated")[0]).toMatchObject({ messageId: m.id, text: "hi!" });
    expect(byType("message_deleted")[0]).not.toHaveProperty("text");
    expect(byType("conversation_updated")[0]).toMatchObject({ conversationId: group.id, change: "member_added" });
    expect(byType("conversation_deleted")).toEqual([{ conversationId: group.id }]);
  });

  it("the judge refuses a payload that drifts from the reference", () => {
    const good = { requestId: "1", company: "c", activityType: "message", eventTimestamp: 1, evnetTimestamp: 1, eventType: "message_created", data: {} };
    const schema = REFERENCE_WEBHOOKS.message_created;
    expect(validatorFor(schema)(good)).toBe(true);
    const { evnetTimestamp: _, ...missing } = good;
    for (const bad of [missing, { ...good, eventTimestamp: "1" }, { ...good, data: [] }, { ...good, company: 1 }]) expect(validatorFor(schema)(bad)).toBe(false);
  });
});
