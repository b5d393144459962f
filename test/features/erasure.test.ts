import { createScheduledController, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { originalKey } from "../../src/features/attachments/storage";
import { pseudonymOf } from "../../src/platform/pseudonym";
import { scheduled } from "../../src/scheduled";
import { signUserToken } from "../../src/platform/tokens";
import { type TestUser, call, createChannel, expectError, expectStatus, newUser, send, settled, upload } from "../helpers/api";
import { api } from "../helpers/client";
import { SHARDS, channelOnShard, shardOf } from "../helpers/shards";
import { connectUser } from "../helpers/user-socket";
import { connect } from "../helpers/ws";

const admin = (method: string, path: string, body?: unknown) => call(method, path, { token: env.ADMIN_TOKEN, body });
const runCron = () => scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }), env);

/** Asks again (idempotent) until the erasure reaches `status`: the work runs in the JOBS queue. */
async function waitForErasure(userId: string, status: "held" | "done") {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await admin("DELETE", `/admin/v1/users/${userId}`, { messages: "delete" });
    expect(res.status).toBe(202);
    if (res.json.status === status || Date.now() > deadline) return res.json;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Every row of every table of a D1 database with a text column containing `needle` ("no row names the
 * user"): the check does not know the schema, so a table added later is covered too.
 */
async function rowsNaming(db: D1Database, needle: string) {
  const tables = (await db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name not like 'messages_fts%' and name != 'd1_migrations'").all<{ name: string }>()).results;
  const found: Record<string, number> = {};
  for (const { name } of tables) {
    const cols = (await db.prepare(`select name from pragma_table_info('${name}')`).all<{ name: string }>()).results.map((c) => c.name);
    const where = cols.map((c) => `instr(cast("${c}" as text), ?1) > 0`).join(" or ");
    const n = (await db.prepare(`select count(*) as n from "${name}" where ${where}`).bind(needle).first<{ n: number }>())!.n;
    if (n) found[name] = n;
  }
  return found;
}

const count = async (db: D1Database, sql: string, ...args: unknown[]) => (await db.prepare(sql).bind(...args).first<{ n: number }>())!.n;
const roomFramesNaming = (channelId: string, needle: string) =>
  runInDurableObject(env.CHANNEL_ROOM.getByName(channelId), async (_room, state) => state.storage.sql.exec<{ n: number }>("select count(*) as n from events where instr(frame, ?) > 0", needle).one().n);

describe("erasure", () => {
  it("forgets a user across the directory, both shards, their rooms and hub; later tokens get 403; asking again is safe", async () => {
    const [alice, bob, carol] = [await newUser("Alice Erasable"), await newUser("Bob"), await newUser("Carol")];
    const groups = [];
    for (const shard of SHARDS) groups.push(await channelOnShard(shard, () => createChannel(alice, { type: "group", name: `Team ${shard}`, member_ids: [bob.id] })));
    const dm = await createChannel(bob, { type: "dm", user_id: alice.id });
    const kept = [];
    const files = [];
    for (const g of [...groups, dm]) {
      const file = await expectStatus(upload(alice, new TextEncoder().encode(`alice's file in ${g.id}`), "text/plain", "a.txt"), 201);
      files.push(file.asset_id);
      const mine = await send(alice, g.id, { body: "hello from alice", attachments: [{ asset_id: file.asset_id }] });
      const root = await send(alice, g.id, "a thread alice started");
      const reply = await send(bob, g.id, { body: "bob replies", parent_id: root.id });
      const bobs = await send(bob, g.id, { body: "bob mentions alice", mentioned_user_ids: [alice.id] });
      await expectStatus(api(alice.token).v1.channels[":channelID"].messages[":messageID"].reactions.$post({ param: { channelID: g.id, messageID: bobs.id }, json: { emote_asset_id: "7" } }), 201);
      await expectStatus(api(bob.token).v1.channels[":channelID"].messages[":messageID"].reactions.$post({ param: { channelID: g.id, messageID: bobs.id }, json: { emote_asset_id: "7" } }), 201);
      await expectStatus(api(bob.token).v1.channels[":channelID"].messages[":messageID"].reactions.$post({ param: { channelID: g.id, messageID: mine.id }, json: { emote_asset_id: "8" } }), 201);
      await expectStatus(api(alice.token).v1.channels[":channelID"].pins[":messageID"].$put({ param: { channelID: g.id, messageID: bobs.id } }), 204);
      kept.push({ channel: g, mine, root, reply, bobs });
    }
    const unused = await expectStatus(upload(alice, new TextEncoder().encode("never attached"), "text/plain", "b.txt"), 201);
    // What names her elsewhere (§17): a message she scheduled, a reminder she set.
    await expectStatus(api(alice.token).v1.channels[":channelID"].messages.$post({ param: { channelID: groups[0]!.id }, header: {}, json: { body: "later", send_at: new Date(Date.now() + 3600_000).toISOString() } }), 202);
    await expectStatus(api(alice.token).v1.reminders.$post({ json: { channel_id: groups[0]!.id, text: "remember", remind_at: Math.floor(Date.now() / 1000) + 3600 } }), 201);
    await expectStatus(api(alice.token).v1.users.me.blocks[":userID"].$put({ param: { userID: carol.id } }), 204);
    const { client: socket } = await connect(groups[0]!.id, { user: alice });
    const { client: userSocket } = await connectUser({ user: alice });
    for (const g of [...groups, dm]) await settled(g.id);

    const asked = await admin("DELETE", `/admin/v1/users/${alice.id}`, { messages: "delete" });
    expect(asked.status).toBe(202);
    const pseudonym = await pseudonymOf(env.FILE_URL_SECRET, alice.id);
    expect(asked.json).toEqual({ id: pseudonym, status: "running", messages: "delete" });
    // From the answer on, the token is refused, as is a new one for the same sub.
    await expectError(api(alice.token).v1.users.me.$get(), 403, "AUTH_USER_DELETED");
    const again: TestUser = { ...alice, token: (await signUserToken(env.JWT_SECRET, alice.id, "Alice")).token };
    await expectError(api(again.token).v1.channels.$get({ query: {} }), 403, "AUTH_USER_DELETED");

    const done = await waitForErasure(alice.id, "done");
    expect(done).toEqual({ id: pseudonym, status: "done", messages: "delete" });
    expect((await socket.closed).code).toBe(4003);
    expect((await userSocket.closed).code).toBe(4003);

    // No row anywhere names the user: directory and both shards.
    expect(await rowsNaming(env.DB, alice.id)).toEqual({});
    for (const shard of SHARDS) expect(await rowsNaming(env[shard], alice.id)).toEqual({});
    for (const id of [...files, unused.asset_id]) expect(await env.ATTACHMENTS.head(originalKey(id))).toBeNull();
    for (const g of [...groups, dm]) expect(await roomFramesNaming(g.id, alice.id)).toBe(0);
    expect((await env.USER_HUB.getByName(alice.id).stats()).seq).toBe(0);

    // What the others see: alice's messages gone, her thread a tombstone holding bob's reply, bob's reaction on her message gone.
    for (const { channel, mine, root, reply, bobs } of kept) {
      const page = await expectStatus(api(bob.token).v1.channels[":channelID"].messages.$get({ param: { channelID: channel.id }, query: {} }), 200);
      const ids = page.messages.map((m) => m.id);
      expect(ids).not.toContain(mine.id);
      expect(ids).toContain(bobs.id);
      const stone = page.messages.find((m) => m.id === root.id);
      if (stone) expect(stone).toMatchObject({ body: "", sender_id: pseudonym, sender_name: "Deleted user" });
      const shard = await shardOf(channel.id);
      expect(await count(shard, "select count(*) as n from messages where id = ?", reply.id)).toBe(1);
      expect(await count(shard, "select count(*) as n from reactions where message_id = ?", mine.id)).toBe(0);
      expect(await shard.prepare("select count from reaction_counts where message_id = ? and emote_asset_id = '7'").bind(bobs.id).first("count")).toBe(1);
      expect(await shard.prepare("select pinned_by from messages where id = ?").bind(bobs.id).first("pinned_by")).toBe(pseudonym);
    }
    expectError(await call("GET", `/v1/users/${alice.id}`, { token: bob.token }), 404, "CHAT_USER_NOT_FOUND");
    // The audit log names the pseudonym only.
    expect(await count(env.DB, "select count(*) as n from audit_log where target_user_id = ? and action in ('user.erase', 'user.erase_done')", pseudonym)).toBe(2);

    // Asked again: the same answer, nothing more done.
    const repeat = await admin("DELETE", `/admin/v1/users/${alice.id}`, { messages: "keep" });
    expect(repeat).toMatchObject({ status: 202, json: { id: pseudonym, status: "done", messages: "delete" } });
  });

  it("self-service deletion keeps messages as \"Deleted user\" and leaves held ones until the hold is released", async () => {
    const [dora, erin] = [await newUser("Dora"), await newUser("Erin")];
    const heldRoom = await createChannel(erin, { type: "group", name: "Held", member_ids: [dora.id] });
    const freeRoom = await createChannel(erin, { type: "group", name: "Free", member_ids: [dora.id] });
    const heldMsg = await send(dora, heldRoom.id, "evidence");
    const freeMsg = await send(dora, freeRoom.id, "small talk");
    await settled(heldRoom.id);
    await settled(freeRoom.id);
    const hold = await admin("POST", "/admin/v1/legal-holds", { name: "Case 7", channel_ids: [heldRoom.id] });
    expect(hold.status).toBe(201);

    const res = await call("DELETE", "/v1/users/me", { token: dora.token, body: { messages: "keep" } });
    const pseudonym = await pseudonymOf(env.FILE_URL_SECRET, dora.id);
    expect(res).toMatchObject({ status: 202, json: { id: pseudonym, status: "running", messages: "keep" } });
    expectError(await call("DELETE", "/v1/users/me", { token: dora.token, body: { messages: "keep" } }), 403, "AUTH_USER_DELETED");

    expect((await waitForErasure(dora.id, "held")).status).toBe("held");
    const free = await expectStatus(api(erin.token).v1.channels[":channelID"].messages.$get({ param: { channelID: freeRoom.id }, query: {} }), 200);
    expect(free.messages.find((m) => m.id === freeMsg.id)).toMatchObject({ body: "small talk", sender_id: pseudonym, sender_name: "Deleted user" });
    const held = await expectStatus(api(erin.token).v1.channels[":channelID"].messages.$get({ param: { channelID: heldRoom.id }, query: {} }), 200);
    // Held: the row is untouched (it still names the user), shown under the "Deleted user" name.
    expect(held.messages.find((m) => m.id === heldMsg.id)).toMatchObject({ body: "evidence", sender_id: dora.id, sender_name: "Deleted user" });

    // Released: the hourly cron runs the erasure again and it finishes.
    expect((await admin("DELETE", `/admin/v1/legal-holds/${hold.json.id}`)).status).toBe(204);
    await runCron();
    expect((await waitForErasure(dora.id, "done")).status).toBe("done");
    expect(await rowsNaming(env.DB, dora.id)).toEqual({});
    for (const shard of SHARDS) expect(await rowsNaming(env[shard], dora.id)).toEqual({});
    const after = await expectStatus(api(erin.token).v1.channels[":channelID"].messages.$get({ param: { channelID: heldRoom.id }, query: {} }), 200);
    expect(after.messages.find((m) => m.id === heldMsg.id)).toMatchObject({ body: "evidence", sender_id: pseudonym, sender_name: "Deleted user" });
  });

  it("refuses bad requests with documented errors, and user tokens on the admin route", async () => {
    const frank = await newUser("Frank");
    expect((await call("DELETE", `/admin/v1/users/${frank.id}`, { token: frank.token, body: { messages: "delete" } })).status).toBe(401);
    expectError(await admin("DELETE", "/admin/v1/users/nobody-ever-seen", { messages: "delete" }), 404, "CHAT_USER_NOT_FOUND");
    expectError(await admin("DELETE", `/admin/v1/users/${frank.id}`, { messages: "shred" }), 400, "VALIDATION_FAILED");
    expectError(await admin("DELETE", `/admin/v1/users/${frank.id}`), 400, "VALIDATION_FAILED");
    expectError(await admin("DELETE", "/admin/v1/users/pub_1", { messages: "delete" }), 400, "VALIDATION_FAILED");
    expectError(await call("DELETE", "/v1/users/me", { token: frank.token, body: {} }), 400, "VALIDATION_FAILED");
    // Frank is untouched by all of that.
    await expectStatus(api(frank.token).v1.users.me.$get(), 200);
  });
});
