/** Connecteam webhooks: scopes, FastAPI 422s that change nothing, conversation scoping, event filters. */
import { describe, expect, it } from "vitest";
import { call, createChannel, newUser, send } from "./helpers/api";
import { accessToken, apiKey, expect422, expectEnvelopeError, publisher, withKey, withToken } from "./helpers/integration";
import { appWebhook, received, receivedBy, receiver } from "./helpers/webhooks";

const PATH = "/settings/v1/webhooks";
const body = (url: string, extra: Record<string, unknown> = {}) => ({ name: "hook", url, featureType: "chat", eventTypes: ["message_created"], ...extra });
const types = async (bucket: string) => (await receivedBy(bucket)).map((r) => JSON.parse(r.body).eventType);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Connecteam webhook settings", () => {
  it("takes settings.read for GET, settings.write for POST and PUT, settings.delete for DELETE (keys and tokens)", async () => {
    const full = await apiKey();
    const { id } = (await withKey(full.key, "POST", PATH, body(receiver().url))).json.data;
    const reader = await apiKey(["settings.read"]);
    expect((await withKey(reader.key, "GET", `${PATH}/${id}`)).status).toBe(200);
    expectEnvelopeError(await withKey(reader.key, "POST", PATH, body(receiver().url)), 403, PATH);
    expectEnvelopeError(await withKey(reader.key, "PUT", `${PATH}/${id}`, { name: "x" }), 403, `${PATH}/${id}`);
    expectEnvelopeError(await withKey(reader.key, "DELETE", `${PATH}/${id}`), 403, `${PATH}/${id}`);
    expectEnvelopeError(await withKey((await apiKey(["chat.read", "chat.write"])).key, "GET", PATH), 403, PATH);
    const token = await accessToken(full, "settings.read");
    expect((await withToken(token.access_token, "GET", PATH)).status).toBe(200);
    const refused = await withToken(token.access_token, "DELETE", `${PATH}/${id}`);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("WWW-Authenticate")).toContain('scope="settings.delete"');
    expect((await withToken((await accessToken(full, "settings.delete")).access_token, "DELETE", `${PATH}/${id}`)).status).toBe(200);
    expectEnvelopeError(await call("GET", PATH), 401, PATH);
  });

  it("answers invalid requests with FastAPI's 422 at the field, and stores or changes nothing", async () => {
    const { key } = await apiKey();
    const count = async () => (await withKey(key, "GET", `${PATH}?limit=100`)).json.data.webhooks.length;
    const before = await count();
    const url = receiver().url;
    expect422(await withKey(key, "POST", PATH, body("http://hooks.example.com/x")), ["body", "url"], "value_error");
    expect422(await withKey(key, "POST", PATH, body("https://192.168.0.10/x")), ["body", "url"], "value_error");
    expect422(await withKey(key, "POST", PATH, body("https://[fe80::1]/x")), ["body", "url"], "value_error");
    expect422(await withKey(key, "POST", PATH, body("https://[64:ff9b:1::808:808]/x")), ["body", "url"], "value_error"); // local-use NAT64
    expect422(await withKey(key, "POST", PATH, body(url, { featureType: "time_activity" })), ["body", "featureType"], "value_error");
    expect422(await withKey(key, "POST", PATH, body(url, { eventTypes: [] })), ["body", "eventTypes"], "too_short");
    expect422(await withKey(key, "POST", PATH, body(url, { eventTypes: ["clock_in"] })), ["body", "eventTypes", 0], "enum");
    expect422(await withKey(key, "POST", PATH, body(url, { webhookVersion: 2 })), ["body", "webhookVersion"], "value_error");
    expect422(await withKey(key, "POST", PATH, body(url, { objectId: 12 })), ["body", "objectId"], "value_error");
    expect422(await withKey(key, "POST", PATH, { url, featureType: "chat", eventTypes: ["message_created"] }), ["body", "name"], "missing");
    expectEnvelopeError(await withKey(key, "POST", PATH, body(url, { entityId: "1234567890123456789" })), 404, PATH);
    expect(await count()).toBe(before);

    const created = (await withKey(key, "POST", PATH, body(url, { name: "keep me" }))).json.data;
    const path = `${PATH}/${created.id}`;
    expect422(await withKey(key, "PUT", path, { url: "http://example.com/" }), ["body", "url"], "value_error");
    expect422(await withKey(key, "PUT", path, { eventTypes: ["user_created"] }), ["body", "eventTypes", 0], "enum");
    expect422(await withKey(key, "PUT", path, { featureType: "forms" }), ["body", "featureType"], "value_error");
    expect422(await withKey(key, "GET", `${PATH}/nope`), ["path", "webhookId"], "int_parsing");
    expect((await withKey(key, "GET", path)).json.data).toEqual(created);
  });
});

describe("Connecteam webhook deliveries", () => {
  it("scopes a webhook to one conversation with entityId, and to its eventTypes", async () => {
    const { key } = await apiKey();
    const alice = await newUser("Alice");
    const [a, b] = [await createChannel(alice, { type: "group", name: "A" }), await createChannel(alice, { type: "group", name: "B" })];
    const onlyA = receiver();
    const deletes = receiver();
    await withKey(key, "POST", PATH, body(onlyA.url, { entityId: a.id }));
    await withKey(key, "POST", PATH, body(deletes.url, { eventTypes: ["conversation_deleted"] }));
    await send(alice, b.id, "in B");
    await send(alice, a.id, "in A");
    await call("DELETE", `/v1/channels/${b.id}`, { token: alice.token });
    const [got] = await received(onlyA.bucket, 1);
    expect(JSON.parse(got!.body).data).toMatchObject({ conversationId: a.id, text: "in A" });
    await received(deletes.bucket, 1);
    await sleep(300);
    expect(await types(onlyA.bucket)).toEqual(["message_created"]);
    expect(await types(deletes.bucket)).toEqual(["conversation_deleted"]);
  });

  it("stops when disabled, resumes when enabled; clearing entityId widens it", async () => {
    const { key } = await apiKey();
    const alice = await newUser("Alice");
    const [a, b] = [await createChannel(alice, { type: "group", name: "A" }), await createChannel(alice, { type: "group", name: "B" })];
    const r = receiver();
    const { id } = (await withKey(key, "POST", PATH, body(r.url, { entityId: a.id, isDisabled: true }))).json.data;
    await send(alice, a.id, "while disabled");
    expect((await withKey(key, "PUT", `${PATH}/${id}`, { isDisabled: false, entityId: null })).json.data).toMatchObject({ isDisabled: false, entityId: null });
    await send(alice, b.id, "now anywhere");
    const [got] = await received(r.bucket, 1);
    expect(JSON.parse(got!.body).data.text).toBe("now anywhere");
    await sleep(300);
    expect(await receivedBy(r.bucket)).toHaveLength(1);
  });

  it("app webhooks see what the integration API does too (one engine, every surface)", async () => {
    const r = receiver();
    await appWebhook({ url: r.url, events: ["message"] });
    const { key } = await apiKey();
    const pub = await publisher("Ops bot");
    const alice = await newUser("Alice");
    const group = await createChannel(alice, { type: "group", name: "Ops" });
    await withKey(key, "POST", `/chat/v1/conversations/${group.id}/message`, { senderId: pub.id, text: "deploy done" });
    const [got] = await received(r.bucket, 1);
    expect(JSON.parse(got!.body)).toMatchObject({ type: "message", channel_id: group.id, data: { sender_id: `pub_${pub.id}`, sender_type: "publisher", body: "deploy done" } });
  });
});
