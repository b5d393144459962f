import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { partKey } from "../../src/features/exports/files";
import { runExport } from "../../src/features/exports/run";
import { type TestUser, call, createChannel, expectError, expectStatus, fetchUrl, newUser, send, settled, tamperedSignature, upload } from "../helpers/api";
import { api } from "../helpers/client";

const admin = (method: string, path: string, body?: unknown) => call(method, path, { token: env.ADMIN_TOKEN, body });

/** Polls until the export is done (the JOBS queue runs it in the background). */
async function waitDone(get: () => Promise<{ status: number; json: any }>) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await get();
    expect(res.status).toBe(200);
    if (res.json.status === "done" || res.json.status === "failed" || Date.now() > deadline) return res.json;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every line of every part, parsed, through the signed URLs. */
async function download(urls: string[]) {
  const lines: any[] = [];
  for (const url of urls) {
    const res = await fetchUrl(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/x-ndjson");
    const text = new TextDecoder().decode(await res.arrayBuffer());
    expect(text.endsWith("\n")).toBe(true);
    lines.push(...text.trimEnd().split("\n").map((l) => JSON.parse(l)));
  }
  return lines;
}

const strip = ({ type: _t, held_originals: _h, ...m }: any) => m;

describe("exports (DESIGN §17)", () => {
  it("exports a channel: NDJSON parsed back equals what the API lists, with held originals, every reaction and the attachment manifest", async () => {
    const [alice, bob] = [await newUser("Alice Export"), await newUser("Bob Export")];
    const channel = await createChannel(alice, { type: "group", name: "Case files", member_ids: [bob.id] });
    const file = await expectStatus(upload(alice, new TextEncoder().encode("evidence"), "text/plain", "e.txt"), 201);
    const first = await send(alice, channel.id, { body: "with a file", attachments: [{ asset_id: file.asset_id }] });
    const edited = await send(bob, channel.id, "the first version");
    const root = await send(alice, channel.id, "a thread");
    await send(bob, channel.id, { body: "a reply", parent_id: root.id });
    await settled(channel.id);
    expect((await admin("POST", "/admin/v1/legal-holds", { name: "Case X", channel_ids: [channel.id] })).status).toBe(201);
    const msgs = (u: TestUser) => api(u.token).v1.channels[":channelID"].messages;
    await expectStatus(msgs(bob)[":messageID"].$put({ param: { channelID: channel.id, messageID: edited.id }, json: { body: "the second version" } }), 200);
    for (const [u, emote] of [[alice, "1"], [bob, "1"], [bob, "2"]] as const) {
      await expectStatus(msgs(u)[":messageID"].reactions.$post({ param: { channelID: channel.id, messageID: first.id }, json: { emote_asset_id: emote } }), 201);
    }
    await settled(channel.id);

    const created = await admin("POST", "/admin/v1/exports", { channel_ids: [channel.id] });
    expect(created.status).toBe(202);
    expect(created.json).toMatchObject({ status: "queued", url: null, urls: [], parts: 0 });
    const done = await waitDone(() => admin("GET", `/admin/v1/exports/${created.json.id}`));
    expect(done).toMatchObject({ id: created.json.id, status: "done", messages: 4, parts: 1, error: null });
    expect(done.url).toBe(done.urls[0]);
    expect(done.expires_at).toBeGreaterThan(Date.now() / 1000 + 3600);

    const lines = await download(done.urls);
    expect(lines[0]).toMatchObject({ type: "channel", id: channel.id, name: "Case files", channel_type: "group" });
    expect(lines.filter((l) => l.type === "member").map((l) => l.user_id).sort()).toEqual([alice.id, bob.id].sort());
    const exported = lines.filter((l) => l.type === "message");
    // What the API lists (top level and the thread), every field: the export drops none.
    const top = await expectStatus(msgs(alice).$get({ param: { channelID: channel.id }, query: {} }), 200);
    const thread = await expectStatus(api(alice.token).v1.channels[":channelID"].messages[":messageID"].replies.$get({ param: { channelID: channel.id, messageID: root.id }, query: {} }), 200);
    const listed = [...top.messages, ...(thread as any).messages].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(exported.map(strip)).toEqual(listed);
    expect(exported.find((m) => m.id === edited.id).held_originals).toEqual([expect.objectContaining({ reason: "edit", body: "the first version" })]);
    expect(lines.filter((l) => l.type === "reaction").map((r) => [r.message_id, r.emote_asset_id, r.user_id])).toEqual(
      expect.arrayContaining([[first.id, "1", alice.id], [first.id, "1", bob.id], [first.id, "2", bob.id]]),
    );
    expect(lines.filter((l) => l.type === "attachment")).toEqual([
      { type: "attachment", message_id: first.id, channel_id: channel.id, asset_id: file.asset_id, filename: "e.txt", content_type: "text/plain", size_bytes: 8, r2_key: `attachments/${file.asset_id}/original` },
    ]);
    // The R2 object is the same NDJSON.
    const object = await env.ATTACHMENTS.get(partKey(done.id, 1));
    expect((await object!.text()).trimEnd().split("\n").length).toBe(lines.length);

    // A tampered link, a swapped part, an expired one: 403; the admin routes refuse a user token.
    const tampered = tamperedSignature(done.url);
    await expectError(await call("GET", new URL(tampered).pathname + new URL(tampered).search), 403, "FILE_SIGNATURE_INVALID");
    const swapped = new URL(done.url);
    swapped.pathname = swapped.pathname.replace(/\/1$/, "/2");
    expect((await fetchUrl(swapped.toString())).status).toBe(403);
    const expired = new URL(done.url);
    expired.searchParams.set("exp", "1000");
    expect((await fetchUrl(expired.toString())).status).toBe(403);
    expect((await call("GET", `/admin/v1/exports/${done.id}`, { token: alice.token })).status).toBe(401);
    expect((await call("POST", "/admin/v1/exports", { token: alice.token, body: { channel_ids: [channel.id] } })).status).toBe(401);

    const audit = (await env.DB.prepare("select action, actor from audit_log where json_extract(details, '$.export_id') = ? order by id").bind(done.id).all()).results;
    expect(audit).toEqual([{ action: "export.request", actor: "admin" }, { action: "export.done", actor: "system" }]);
  });

  it("writes bounded parts and resumes from its cursor; a duplicate run does not go on twice", async () => {
    const alice = await newUser("Alice Parts");
    const channel = await createChannel(alice, { type: "group", name: "Many" });
    const sent = [];
    for (let i = 0; i < 250; i++) sent.push((await send(alice, channel.id, `message ${i}`)).id);
    await settled(channel.id);
    // Asked for directly in D1 (the route would queue it): runs driven by hand with a small row limit.
    const id = `9${Date.now()}`.slice(0, 19);
    await env.DB.prepare("insert into exports (id, requested_by, channel_ids, user_id, from_id, to_id, status, cursor, created_at) values (?, 'admin', ?, null, '0', '9999999999999999999', 'queued', ?, ?)")
      .bind(id, JSON.stringify([channel.id]), JSON.stringify({ step: 0, after: null }), Date.now())
      .run();
    const limits = { rowsPerRun: 100, budgetMs: 60_000 };
    // Two deliveries of the same queue message at once: both read the same cursor and write the same
    // part; only one moves the cursor on (the other answers "raced" when they interleave).
    const pair = await Promise.all([runExport(env, id, limits), runExport(env, id, limits)]);
    expect(pair.filter((r) => r.status === "running")).toHaveLength(pair.some((r) => r.status === "raced") ? 1 : 2);
    const runs = pair.filter((r) => r.status !== "raced");
    for (let i = 0; i < 10 && runs.at(-1)!.status !== "done"; i++) {
      const r = await runExport(env, id, limits);
      runs.push(r);
      if (r.status === "done") break;
    }
    // 1 channel line + 1 member line, then pages of 100 messages: no part over 100 + one page.
    expect(runs.map((r) => r.status)).toEqual(["running", "running", "done"]);
    expect(pair.some((r) => r.status === "raced")).toBe(true);
    const parts = [];
    for (let p = 1; p <= 3; p++) parts.push(new TextDecoder().decode(await (await env.ATTACHMENTS.get(partKey(id, p)))!.arrayBuffer()).trimEnd().split("\n").map((l) => JSON.parse(l)));
    expect(parts.map((p) => p.length)).toEqual([102, 100, 50]);
    expect(parts.flat().filter((l) => l.type === "message").map((m) => m.id)).toEqual(sent);
    expect(await runExport(env, id, limits)).toMatchObject({ status: "done", rows: 0 });
  });

  it("a user's own export: their channels, messages everywhere and reactions; others' exports are 404", async () => {
    const [carol, dave] = [await newUser("Carol Self"), await newUser("Dave Self")];
    const group = await createChannel(dave, { type: "group", name: "Dave's", member_ids: [carol.id] });
    const dm = await createChannel(carol, { type: "dm", user_id: dave.id });
    const mine = [await send(carol, group.id, "carol in the group"), await send(carol, dm.id, "carol in the dm")];
    const davesMessage = await send(dave, group.id, "dave's");
    await expectStatus(api(carol.token).v1.channels[":channelID"].messages[":messageID"].reactions.$post({ param: { channelID: group.id, messageID: davesMessage.id }, json: { emote_asset_id: "7" } }), 201);
    for (const c of [group, dm]) await settled(c.id);

    const created = await call("POST", "/v1/users/me/export", { token: carol.token });
    expect(created.status).toBe(202);
    const again = await call("POST", "/v1/users/me/export", { token: carol.token });
    expect(again.status).toBe(202);
    const done = await waitDone(() => call("GET", `/v1/users/me/exports/${created.json.id}`, { token: carol.token }));
    expect(done).toMatchObject({ status: "done", messages: 2 });
    const lines = await download(done.urls);
    expect(lines.filter((l) => l.type === "channel").map((l) => l.id).sort()).toEqual([group.id, dm.id].sort());
    expect(lines.filter((l) => l.type === "member").every((l) => l.user_id === carol.id)).toBe(true);
    expect(lines.filter((l) => l.type === "message").map((m) => [m.id, m.body])).toEqual(mine.map((m) => [m.id, m.body]).sort());
    expect(lines.filter((l) => l.type === "reaction")).toEqual([expect.objectContaining({ message_id: davesMessage.id, channel_id: group.id, emote_asset_id: "7", user_id: carol.id })]);
    // Not dave's to see; nor an unknown id.
    await expectError(await call("GET", `/v1/users/me/exports/${created.json.id}`, { token: dave.token }), 404, "NOT_FOUND");
    await expectError(await call("GET", `/v1/users/me/exports/123`, { token: carol.token }), 404, "NOT_FOUND");
  });

  it("refuses bad requests with documented 4xx", async () => {
    const erin = await newUser("Erin");
    await expectError(await admin("POST", "/admin/v1/exports", {}), 400, "VALIDATION_FAILED");
    await expectError(await admin("POST", "/admin/v1/exports", { channel_ids: [] }), 400, "VALIDATION_FAILED");
    await expectError(await admin("POST", "/admin/v1/exports", { user_id: erin.id, from: 10, to: 5 }), 400, "VALIDATION_FAILED");
    await expectError(await admin("POST", "/admin/v1/exports", { user_id: erin.id, from: "yesterday" }), 400, "VALIDATION_FAILED");
    await expectError(await admin("POST", "/admin/v1/exports", { channel_ids: ["1", "1"] }), 400, "VALIDATION_FAILED");
    await expectError(await admin("POST", "/admin/v1/exports", { channel_ids: ["1234567890123456789"] }), 404, "CHAT_CHANNEL_NOT_FOUND");
    await expectError(await admin("POST", "/admin/v1/exports", { user_id: "nobody-here" }), 404, "CHAT_USER_NOT_FOUND");
    await expectError(await admin("GET", "/admin/v1/exports/nope"), 404, "NOT_FOUND");
    // Times far out are clamped to now (never a 500): nothing to export, done. (Beyond safe integers: 400.)
    await expectError(await admin("POST", "/admin/v1/exports", { user_id: erin.id, from: 1e300 }), 400, "VALIDATION_FAILED");
    const far = await admin("POST", "/admin/v1/exports", { user_id: erin.id, from: 1e12, to: 1e12 });
    expect(far.status).toBe(202);
    expect(await waitDone(() => admin("GET", `/admin/v1/exports/${far.json.id}`))).toMatchObject({ status: "done", messages: 0 });
    expect((await call("GET", "/exports/1/1?exp=abc&sig=x")).status).toBe(403);
    expect((await call("GET", "/exports/1/zero")).status).toBe(403);
  });
});

describe("narrowing an export", () => {
  it("by sender (channel_ids with user_id) and by time (from/to, inclusive seconds)", async () => {
    const [gina, hal] = [await newUser("Gina"), await newUser("Hal")];
    const group = await createChannel(gina, { type: "group", name: "Narrow", member_ids: [hal.id] });
    const early = await send(gina, group.id, "gina early");
    await send(hal, group.id, "hal's");
    await new Promise((r) => setTimeout(r, 1100)); // the next message in a later second
    const late = await send(gina, group.id, "gina late");
    await settled(group.id);
    const exported = async (body: object) => {
      const created = await admin("POST", "/admin/v1/exports", body);
      expect(created.status).toBe(202);
      const done = await waitDone(() => admin("GET", `/admin/v1/exports/${created.json.id}`));
      return (await download(done.urls)).filter((l) => l.type === "message").map((m) => m.id);
    };
    expect(await exported({ channel_ids: [group.id], user_id: gina.id })).toEqual([early.id, late.id]);
    expect(await exported({ channel_ids: [group.id], user_id: gina.id, to: early.created_at })).toEqual([early.id]);
    expect(await exported({ channel_ids: [group.id], from: late.created_at })).toEqual([late.id]);
    expect(await exported({ user_id: gina.id, from: late.created_at + 3600 })).toEqual([]);
  });
});

describe("exports and erasure", () => {
  it("an erasure removes the exports the user asked for and those about them: rows and R2 parts", async () => {
    const frank = await newUser("Frank Leaving");
    const group = await createChannel(frank, { type: "group", name: "Frank's" });
    await send(frank, group.id, "frank's words");
    await settled(group.id);
    const own = await call("POST", "/v1/users/me/export", { token: frank.token });
    const about = await admin("POST", "/admin/v1/exports", { user_id: frank.id });
    const channelExport = await admin("POST", "/admin/v1/exports", { channel_ids: [group.id] });
    for (const [id, get] of [
      [own.json.id, () => call("GET", `/v1/users/me/exports/${own.json.id}`, { token: frank.token })],
      [about.json.id, () => admin("GET", `/admin/v1/exports/${about.json.id}`)],
      [channelExport.json.id, () => admin("GET", `/admin/v1/exports/${channelExport.json.id}`)],
    ] as const) {
      expect(await waitDone(get)).toMatchObject({ status: "done", parts: 1 });
      expect(await env.ATTACHMENTS.head(partKey(id, 1))).not.toBeNull();
    }

    expect((await call("DELETE", "/v1/users/me", { token: frank.token, body: { messages: "delete" } })).status).toBe(202);
    const deadline = Date.now() + 30_000;
    while ((await admin("DELETE", `/admin/v1/users/${frank.id}`, { messages: "delete" })).json.status !== "done" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    for (const id of [own.json.id, about.json.id]) {
      expect(await env.DB.prepare("select count(*) as n from exports where id = ?").bind(id).first("n")).toBe(0);
      expect(await env.ATTACHMENTS.head(partKey(id, 1))).toBeNull();
    }
    // A channel export is the operator's copy of the channel: it stays (docs/retention.md).
    expect(await env.ATTACHMENTS.head(partKey(channelExport.json.id, 1))).not.toBeNull();
    expect(await env.DB.prepare("select count(*) as n from exports where requested_by = ?1 or user_id = ?1").bind(frank.id).first("n")).toBe(0);
  });
});
