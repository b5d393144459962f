import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createChannel, expectError, expectStatus, listed, newUser, send, upload } from "../helpers/api";
import { api } from "../helpers/client";
import { shardOf } from "../helpers/shards";
import { eventually } from "../helpers/webhooks";
import { originalKey } from "../../src/features/attachments/storage";
import { type Client, type Frame, connect } from "../helpers/ws";

// DESIGN §6: the room accepts a message write-ahead (its storage, then the broadcast) and D1 follows
// in flushes. These tests hold D1 back on purpose (test-only switches, FAULT_INJECTION) and check
// that nothing a client was told is lost, doubled or reordered.

const roomOf = (channelId: string) => env.CHANNEL_ROOM.getByName(channelId);
let n = 0;
const clientMsgId = () => `wal-${Date.now()}-${n++}`;

async function group() {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const chat = await createChannel(alice, { type: "group", name: "Write-ahead", member_ids: [bob.id] });
  const { client: aliceSocket } = await connect(chat.id, { user: alice });
  const { client: bobSocket } = await connect(chat.id, { user: bob });
  return { alice, bob, chat, aliceSocket, bobSocket };
}

/** A socket send answered `ack` (the sender's own `message` event comes first). */
async function sendOverSocket(socket: Client, body: string): Promise<Frame> {
  const id = clientMsgId();
  socket.send({ type: "send", client_msg_id: id, body });
  const event = await socket.expect("message");
  const ack = await socket.expect("ack");
  expect(ack).toMatchObject({ client_msg_id: id, data: { id: event.data.id } });
  return ack;
}

/** The channel's stored rows (the shard, as D1 holds them), oldest first. */
const storedRows = async (channelId: string) =>
  (await (await shardOf(channelId)).prepare("select id, body, position from messages where channel_id = ? order by id").bind(channelId).all<{ id: string; body: string; position: number }>()).results;

/** Waits (at most 10 s) until `probe` answers null. */
async function untilGone(probe: () => Promise<unknown>) {
  const deadline = Date.now() + 10_000;
  while ((await probe()) !== null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(await probe()).toBeNull();
}

/** Waits (by polling D1, at most 15 s) until the shard holds `count` messages of the channel. */
async function untilStored(channelId: string, count: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const rows = await storedRows(channelId);
    if (rows.length >= count || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("write-ahead: the room first, D1 behind it", () => {
  it("acks a socket send and delivers its event before D1 has it; the flush writes it once", async () => {
    const { bob, chat, aliceSocket, bobSocket } = await group();
    await roomOf(chat.id).pauseFlushes(true);
    const ack = await sendOverSocket(aliceSocket, "ahead of D1");
    expect(await bobSocket.expect("message")).toMatchObject({ seq: 1, data: { id: ack.data.id, body: "ahead of D1" } });
    expect(await storedRows(chat.id)).toEqual([]);
    await roomOf(chat.id).pauseFlushes(false);
    expect(await untilStored(chat.id, 1)).toEqual([{ id: ack.data.id, body: "ahead of D1", position: 1 }]);
    expect(await listed(bob, chat.id)).toMatchObject({ unread_count: 1 });
  });

  it("a room restarted between its durable write and the flush: the message reaches D1 afterwards, once, in order", async () => {
    const { alice, chat, aliceSocket, bobSocket } = await group();
    await roomOf(chat.id).pauseFlushes(true);
    const acks = [await sendOverSocket(aliceSocket, "one"), await sendOverSocket(aliceSocket, "two")];
    for (const ack of acks) expect(await bobSocket.expect("message")).toMatchObject({ data: { id: ack.data.id } });
    // The pause lives in memory: a restart forgets it, and the room's alarm resumes the flush.
    await evictDurableObject(roomOf(chat.id));
    const rows = await untilStored(chat.id, 2);
    expect(rows.map((r) => [r.id, r.body, r.position])).toEqual([
      [acks[0]!.data.id, "one", 1],
      [acks[1]!.data.id, "two", 2],
    ]);
    // Delivered once: a reconnect from seq 0 replays exactly the two events, and nothing came twice live.
    await bobSocket.expectSilence();
    const replay = await connect(chat.id, { user: alice, sinceSeq: 0 });
    expect((await replay.client.expect("message")).data.id).toBe(acks[0]!.data.id);
    expect((await replay.client.expect("message")).data.id).toBe(acks[1]!.data.id);
    await replay.client.expectSilence();
  });

  it("D1 failing for the next flushes: sends acked and delivered, then everything in D1 once, in order", async () => {
    const { alice, chat, aliceSocket, bobSocket } = await group();
    await roomOf(chat.id).failNextFlushes(3);
    const bodies = ["a", "b", "c", "d"];
    const acks: Frame[] = [];
    for (const body of bodies) acks.push(await sendOverSocket(aliceSocket, body));
    const events = [];
    for (let i = 0; i < bodies.length; i++) events.push(await bobSocket.expect("message"));
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    const rows = await untilStored(chat.id, bodies.length);
    expect(rows.map((r) => r.body)).toEqual(bodies);
    expect(rows.map((r) => r.id)).toEqual(acks.map((a) => a.data.id));
    // History equals what the events said.
    const page = await expectStatus(api(alice.token).v1.channels[":channelID"].messages.$get({ param: { channelID: chat.id }, query: {} }), 200);
    expect(page.messages.reverse()).toEqual(events.map((e) => e.data));
  });

  it("past the backlog bound the room refuses new sends with 503 CHAT_UNAVAILABLE; after D1 returns, nothing was lost", async () => {
    const { alice, chat, aliceSocket } = await group();
    await roomOf(chat.id).limitBacklog(3);
    await roomOf(chat.id).pauseFlushes(true);
    for (const body of ["1", "2", "3"]) await sendOverSocket(aliceSocket, body);
    const id = clientMsgId();
    aliceSocket.send({ type: "send", client_msg_id: id, body: "4" });
    expect(await aliceSocket.expect("error")).toMatchObject({ client_msg_id: id, data: { code: "CHAT_UNAVAILABLE" } });
    const refused = await api(alice.token).v1.channels[":channelID"].messages.$post({ param: { channelID: chat.id }, header: {}, json: { body: "rest" } });
    expect(refused.headers.get("Retry-After")).toBe("5");
    await expectError(refused, 503, "CHAT_UNAVAILABLE");
    await roomOf(chat.id).pauseFlushes(false);
    expect((await untilStored(chat.id, 3)).map((r) => r.body)).toEqual(["1", "2", "3"]);
    expect(await send(alice, chat.id, "after")).toMatchObject({ body: "after" });
    expect((await storedRows(chat.id)).map((r) => r.body)).toEqual(["1", "2", "3", "after"]);
  });

  it("a resync while D1 trails replays the unflushed tail, so a refetch misses nothing", async () => {
    const { alice, chat, aliceSocket } = await group();
    await roomOf(chat.id).pauseFlushes(true);
    const ack = await sendOverSocket(aliceSocket, "not in D1 yet");
    const { client } = await connect(chat.id, { user: alice, sinceSeq: 5 }); // ahead of the room: resync
    expect(await client.expect("resync_required")).toMatchObject({ data: { seq: 1 } });
    expect(await client.expect("message")).toMatchObject({ seq: 1, data: { id: ack.data.id } });
    await client.expectSilence();
    await roomOf(chat.id).pauseFlushes(false);
  });

  it("flushes paused: edit, delete, react, pin and mark read of unflushed messages all work; once flushed, history equals what the events said", async () => {
    const { alice, bob, chat, aliceSocket, bobSocket } = await group();
    const file = await expectStatus(upload(alice, new TextEncoder().encode("draft notes"), "text/plain", "notes.txt"), 201);
    await roomOf(chat.id).pauseFlushes(true);
    const kept = await sendOverSocket(aliceSocket, "draft");
    const gone = await expectStatus(
      api(alice.token).v1.channels[":channelID"].messages.$post({ param: { channelID: chat.id }, header: {}, json: { body: "oops", attachments: [{ asset_id: file.asset_id }] } }),
      201,
    );
    for (const id of [kept.data.id, gone.id]) expect((await bobSocket.expect("message")).data.id).toBe(id);
    const message = (token: string, id: string) => api(token).v1.channels[":channelID"].messages[":messageID"];
    const params = (id: string) => ({ channelID: chat.id, messageID: id });
    // Every change answers while D1 holds neither message, each with its event.
    const edited = await expectStatus(message(alice.token, kept.data.id).$put({ param: params(kept.data.id), json: { body: "final", mentioned_user_ids: [bob.id] } }), 200);
    expect(edited).toMatchObject({ id: kept.data.id, body: "final", mentioned_user_ids: [bob.id], edited_at: expect.any(Number) });
    await expectStatus(message(bob.token, kept.data.id).reactions.$post({ param: params(kept.data.id), json: { emote_asset_id: "👍" } }), 201);
    await expectError(message(bob.token, kept.data.id).reactions.$post({ param: params(kept.data.id), json: { emote_asset_id: "👍" } }), 409, "CHAT_REACTION_EXISTS");
    await expectStatus(message(alice.token, kept.data.id).reactions.$post({ param: params(kept.data.id), json: { emote_asset_id: "🎉" } }), 201);
    await expectStatus(message(alice.token, kept.data.id).reactions[":emoteID"].$delete({ param: { ...params(kept.data.id), emoteID: "🎉" } }), 204);
    await expectStatus(api(bob.token).v1.channels[":channelID"].pins[":messageID"].$put({ param: params(kept.data.id) }), 204);
    await expectError(message(bob.token, gone.id).$put({ param: params(gone.id), json: { body: "not mine" } }), 403, "CHAT_NOT_MESSAGE_AUTHOR");
    await expectStatus(message(alice.token, gone.id).$delete({ param: params(gone.id) }), 204);
    await expectError(message(bob.token, gone.id).reactions.$post({ param: params(gone.id), json: { emote_asset_id: "👍" } }), 404, "CHAT_MESSAGE_NOT_FOUND");
    const read = await api(bob.token).v1.channels[":channelID"].read.$post({ param: { channelID: chat.id }, json: { last_read_message_id: kept.data.id } });
    expect(read.status).toBe(200);
    const events = [];
    for (const type of ["message_update", "reaction_add", "reaction_add", "reaction_remove", "message_update", "message_delete"]) events.push(await bobSocket.expect(type));
    expect(events.at(-2)!.data).toMatchObject({ id: kept.data.id, body: "final", pinned_by: bob.id, reactions: [{ emote_asset_id: "👍", count: 1, user_ids: [bob.id] }] });
    expect(events.at(-1)!.data).toMatchObject({ id: gone.id, deleted: true, body: "", attachments: [] });
    expect((await bobSocket.expect("read")).data).toMatchObject({ user_id: bob.id, last_read_message_id: kept.data.id });
    expect(await storedRows(chat.id)).toEqual([]);

    await roomOf(chat.id).pauseFlushes(false);
    await untilStored(chat.id, 2);
    const history = await expectStatus(api(bob.token).v1.channels[":channelID"].messages.$get({ param: { channelID: chat.id }, query: {} }), 200);
    const byId = new Map(history.messages.map((m: { id: string }) => [m.id, m]));
    expect(byId.get(kept.data.id)).toEqual(events.at(-2)!.data);
    expect(byId.get(gone.id)).toMatchObject({ deleted: true, body: "", attachments: [] });
    expect(await expectStatus(api(bob.token).v1.channels[":channelID"].pins.$get({ param: { channelID: chat.id } }), 200)).toMatchObject({ messages: [{ id: kept.data.id }] });
    // Bob read up to the kept message; the deleted one after it is not unread.
    expect(await listed(bob, chat.id)).toMatchObject({ last_read_message_id: kept.data.id, unread_count: 0 });
    const mentions = await env.DB.prepare("select user_id from mentions where message_id = ?").bind(kept.data.id).all();
    expect(mentions.results).toEqual([{ user_id: bob.id }]);
    // The deleted message's upload is gone with it: bytes and row.
    await untilGone(() => env.ATTACHMENTS.head(originalKey(file.asset_id)));
  });

  it("D1 failing under a change of an unflushed message: the change is kept and lands with the message once D1 is back", async () => {
    const { alice, chat, aliceSocket } = await group();
    await roomOf(chat.id).pauseFlushes(true);
    const ack = await sendOverSocket(aliceSocket, "typo");
    const params = { channelID: chat.id, messageID: ack.data.id };
    await roomOf(chat.id).failNextFlushes(2);
    await roomOf(chat.id).pauseFlushes(false);
    expect(await expectStatus(api(alice.token).v1.channels[":channelID"].messages[":messageID"].$put({ param: params, json: { body: "fixed" } }), 200)).toMatchObject({ body: "fixed" });
    await untilStored(chat.id, 1);
    expect((await storedRows(chat.id)).map((r) => r.body)).toEqual(["fixed"]);
  });

  it("flushes paused: replies to an unflushed root are accepted with the root's count, a waiting reply's delete takes it back; once flushed, D1 says the same", async () => {
    const { alice, bob, chat, aliceSocket, bobSocket } = await group();
    await roomOf(chat.id).pauseFlushes(true);
    const root = await sendOverSocket(aliceSocket, "root");
    await bobSocket.expect("message");
    const reply = (body: string, parent_id: string, mentioned_user_ids: string[] = []) => {
      const id = clientMsgId();
      bobSocket.send({ type: "send", client_msg_id: id, body, parent_id, mentioned_user_ids });
      return id;
    };
    reply("first", root.data.id, [alice.id]);
    const first = await bobSocket.expect("message");
    expect(first.data).toMatchObject({ parent_id: root.data.id, body: "first", mentioned_user_ids: [alice.id] });
    expect((await bobSocket.expect("message_update")).data).toMatchObject({ id: root.data.id, reply_count: 1, last_reply_at: first.data.created_at });
    await bobSocket.expect("ack");
    reply("to the reply", first.data.id); // joins the root's thread
    const second = await bobSocket.expect("message");
    expect(second.data.parent_id).toBe(root.data.id);
    expect((await bobSocket.expect("message_update")).data).toMatchObject({ id: root.data.id, reply_count: 2 });
    await bobSocket.expect("ack");
    const params = { channelID: chat.id, messageID: second.data.id };
    await expectStatus(api(bob.token).v1.channels[":channelID"].messages[":messageID"].$delete({ param: params }), 204);
    expect((await bobSocket.expect("message_delete")).data).toMatchObject({ id: second.data.id, deleted: true });
    expect((await bobSocket.expect("message_update")).data).toMatchObject({ id: root.data.id, reply_count: 1 });
    // A reply is not a read cursor, waiting or not.
    await expectError(api(alice.token).v1.channels[":channelID"].read.$post({ param: { channelID: chat.id }, json: { last_read_message_id: first.data.id } }), 404, "CHAT_MESSAGE_NOT_FOUND");
    expect(await storedRows(chat.id)).toEqual([]);

    await roomOf(chat.id).pauseFlushes(false);
    await untilStored(chat.id, 3);
    const thread = await expectStatus(api(alice.token).v1.channels[":channelID"].messages[":messageID"].replies.$get({ param: { channelID: chat.id, messageID: root.data.id }, query: {} }), 200);
    expect(thread.messages.map((m: { id: string; deleted: boolean }) => [m.id, m.deleted])).toEqual(expect.arrayContaining([[first.data.id, false]]));
    const stored = await (await shardOf(chat.id)).prepare("select reply_count, last_reply_at from messages where id = ?").bind(root.data.id).first<{ reply_count: number; last_reply_at: number }>();
    expect(stored).toEqual({ reply_count: 1, last_reply_at: expect.any(Number) });
    expect(Math.floor(stored!.last_reply_at / 1000)).toBe(first.data.created_at);
    expect((await env.DB.prepare("select user_id from mentions where message_id = ?").bind(first.data.id).all()).results).toEqual([{ user_id: alice.id }]);
    // Replies never count as unread.
    expect(await listed(alice, chat.id)).toMatchObject({ unread_count: 0 });
    expect(await listed(bob, chat.id)).toMatchObject({ unread_count: 1 });
    const rest = await send(alice, chat.id, { body: "over REST", parent_id: root.data.id });
    expect((await storedRows(chat.id)).map((r) => r.id)).toContain(rest.id); // its 201 came after its flush
  });

  it("the directory follows socket sends through its queue; a late update never undoes a later mark-unread", async () => {
    const { alice, bob, chat, aliceSocket } = await group();
    const first = await send(alice, chat.id, "over REST"); // its directory part goes through the queue too
    await aliceSocket.expect("message");
    const second = await sendOverSocket(aliceSocket, "over the socket"); // its part goes through the queue
    // Alice moves her cursor back to the first message before the queued update (which moves her
    // cursor to her own second message) can have been applied: the update must not undo it.
    const read = await api(alice.token).v1.channels[":channelID"].read.$post({ param: { channelID: chat.id }, json: { last_read_message_id: first.id } });
    expect(read.status).toBe(200);
    expect(await listed(alice, chat.id)).toMatchObject({ last_read_message_id: first.id, unread_count: 0 });
    expect(await listed(bob, chat.id)).toMatchObject({ unread_count: 2, last_message_at: expect.any(Number) });
    expect((await storedRows(chat.id)).map((r) => r.id)).toEqual([first.id, second.data.id]);
  });

  it("REST sends: the 201's bookmark reads each message back at once; unread counts reach the exact value within 5 s", async () => {
    const { alice, bob, chat } = await group();
    for (let i = 0; i < 5; i++) {
      const res = await api(alice.token).v1.channels[":channelID"].messages.$post({ param: { channelID: chat.id }, header: {}, json: { body: `r${i}` } });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      const bookmarked = api(bob.token, { "X-D1-Bookmark": res.headers.get("X-D1-Bookmark")! });
      const page = await expectStatus(bookmarked.v1.channels[":channelID"].messages.$get({ param: { channelID: chat.id }, query: {} }), 200);
      expect(page.messages[0]!.id).toBe(id);
    }
    // The directory follows through its queue (DESIGN §12): polled, not waited for with settle() (nor listed(), which settles).
    const unread = async () => (await expectStatus(api(bob.token).v1.channels.$get({ query: {} }), 200)).find((c) => c.id === chat.id)?.unread_count;
    await eventually(async () => (await unread()) === 5, 5000);
  });

  it("a send refused after its uploads were claimed (the backlog filled meanwhile) frees them: the retry sends them", async () => {
    const { alice, chat, aliceSocket } = await group();
    const file = await expectStatus(upload(alice, new TextEncoder().encode("report"), "text/plain", "report.txt"), 201);
    await roomOf(chat.id).pauseFlushes(true);
    await roomOf(chat.id).limitBacklog(1);
    // Alice's send has claimed its upload and is held; meanwhile another message fills the backlog.
    await roomOf(chat.id).holdAt("send:checked");
    const post = () => api(alice.token).v1.channels[":channelID"].messages.$post({ param: { channelID: chat.id }, header: {}, json: { body: "see attached", attachments: [{ asset_id: file.asset_id }] } });
    const refused = post();
    await roomOf(chat.id).reached("send:checked");
    await sendOverSocket(aliceSocket, "fills the backlog");
    await roomOf(chat.id).release("send:checked");
    await expectError(refused, 503, "CHAT_UNAVAILABLE");
    await roomOf(chat.id).limitBacklog(1000);
    await roomOf(chat.id).pauseFlushes(false);
    const sent = await expectStatus(post(), 201);
    expect(sent.attachments).toMatchObject([{ asset_id: file.asset_id }]);
  });
});
