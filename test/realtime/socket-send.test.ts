import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type TestUser, addMember, createChannel, expectStatus, newUser, send, upload } from "../helpers/api";
import { api } from "../helpers/client";
import { type Client, type Frame, connect } from "../helpers/ws";

const channel = (user: TestUser, channelID: string) => api(user.token).v1.channels[":channelID"];
/** History as D1 holds it once the room's flushes caught up (socket sends are acked before D1 has them). */
async function messagesOf(user: TestUser, channelID: string) {
  await env.CHANNEL_ROOM.getByName(channelID).settle();
  return (await expectStatus(channel(user, channelID).messages.$get({ param: { channelID }, query: { limit: 100 } }), 200)).messages;
}

async function group() {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const chat = await createChannel(alice, { type: "group", name: "Socket sends", member_ids: [bob.id] });
  const { client: aliceSocket } = await connect(chat.id, { user: alice });
  const { client: bobSocket } = await connect(chat.id, { user: bob });
  return { alice, bob, chat, aliceSocket, bobSocket };
}

let n = 0;
const msgId = () => `cmid-${Date.now()}-${n++}`;

/** Sends a send frame; the sender's own socket gets the `message` event first, then the ack. */
async function sendOk(socket: Client, frame: Record<string, unknown>): Promise<{ event: Frame; ack: Frame }> {
  socket.send({ type: "send", ...frame });
  const event = await socket.expect("message");
  const ack = await socket.expect("ack");
  return { event, ack };
}

/** Sends a frame that must be refused: the answer is an `error` frame naming the client_msg_id. */
async function sendRefused(socket: Client, frame: unknown, code: string, clientMsgId: string | null) {
  socket.send(frame);
  const error = await socket.expect("error");
  expect(error).toMatchObject({ type: "error", seq: null, client_msg_id: clientMsgId, data: { code, message: expect.any(String) } });
  return error;
}

describe("sending over the channel socket", () => {
  it("acks with the message, delivers the event to every subscriber, and REST lists the same message", async () => {
    const { alice, bob, chat, aliceSocket, bobSocket } = await group();
    const { client: aliceSecond } = await connect(chat.id, { user: alice });
    const id = msgId();
    const { event, ack } = await sendOk(aliceSocket, { client_msg_id: id, body: "hello over the socket" });
    expect(ack).toEqual({ type: "ack", channel_id: chat.id, seq: null, client_msg_id: id, data: event.data });
    expect(event).toMatchObject({ type: "message", seq: 1, data: { body: "hello over the socket", sender_id: alice.id, sender_name: "Alice" } });
    expect(await bobSocket.expect("message")).toEqual(event);
    expect(await aliceSecond.expect("message")).toEqual(event);
    expect(await messagesOf(bob, chat.id)).toEqual([ack.data]);
    // Exactly one event: the next one takes the next seq.
    await send(bob, chat.id, "over REST");
    expect((await bobSocket.expect("message")).seq).toBe(2);
  });

  it("takes parent_id and mentioned_user_ids as REST does: null is top-level, a reply joins its thread", async () => {
    const { alice, bob, aliceSocket } = await group();
    const { event: top } = await sendOk(aliceSocket, { client_msg_id: msgId(), body: "top", parent_id: null, mentioned_user_ids: [bob.id, alice.id] });
    expect(top.data).toMatchObject({ parent_id: null, mentioned_user_ids: [bob.id] });
    aliceSocket.send({ type: "send", client_msg_id: msgId(), body: "in thread", parent_id: (top.data as { id: string }).id });
    expect(await aliceSocket.expect("message")).toMatchObject({ data: { parent_id: (top.data as { id: string }).id } });
    expect(await aliceSocket.expect("message_update")).toMatchObject({ data: { id: (top.data as { id: string }).id, reply_count: 1 } });
    expect(await aliceSocket.expect("ack")).toMatchObject({ data: { body: "in thread" } });
    await sendRefused(aliceSocket, { type: "send", client_msg_id: "bad-parent", body: "x", parent_id: "1234567890123456789" }, "CHAT_MESSAGE_NOT_FOUND", "bad-parent");
    await sendRefused(aliceSocket, { type: "send", client_msg_id: "bad-parent-2", body: "x", parent_id: "nope" }, "VALIDATION_FAILED", "bad-parent-2");
  });

  it("takes attachments and inline emotes as REST does", async () => {
    const { alice, chat, aliceSocket, bobSocket } = await group();
    const file = await expectStatus(upload(alice, new TextEncoder().encode("notes"), "text/plain", "notes.txt"), 201);
    const { ack } = await sendOk(aliceSocket, {
      client_msg_id: msgId(),
      body: "see :doc:",
      attachments: [{ asset_id: file.asset_id }],
      inline_emotes: [{ shortcode: ":doc:", asset_id: 42, start_index: 4, end_index: 9 }],
    });
    expect(ack.data.attachments).toMatchObject([{ asset_id: file.asset_id, filename: "notes.txt", size_bytes: 5 }]);
    expect(ack.data.inline_emotes).toEqual([{ shortcode: ":doc:", asset_id: "42", start_index: 4, end_index: 9 }]);
    expect((await bobSocket.expect("message")).data).toEqual(ack.data);
    expect((await messagesOf(alice, chat.id))[0]).toEqual(ack.data);
  });

  it("replays a repeated client_msg_id: the original message, nothing stored, no second event", async () => {
    const { alice, bob, chat, aliceSocket, bobSocket } = await group();
    const id = msgId();
    const { ack } = await sendOk(aliceSocket, { client_msg_id: id, body: "once" });
    await bobSocket.expect("message");
    aliceSocket.send({ type: "send", client_msg_id: id, body: "once, again" });
    expect(await aliceSocket.expect("ack")).toEqual(ack);
    await bobSocket.expectSilence();
    // client_msg_id is the Idempotency-Key: the REST send with the same key gets the same message.
    const res = await channel(alice, chat.id).messages.$post({ param: { channelID: chat.id }, json: { body: "once" }, header: { "idempotency-key": id } });
    expect(res.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await expectStatus(res, 201)).toEqual(ack.data);
    await bobSocket.expectSilence();
    expect(await messagesOf(bob, chat.id)).toEqual([ack.data]);
  });
});

describe("refusals are error frames with the client_msg_id, and store nothing", () => {
  it("answers content and frame errors with the REST codes", async () => {
    const { bob, chat, aliceSocket, bobSocket } = await group();
    const id = msgId();
    await sendRefused(aliceSocket, { type: "send", client_msg_id: id, body: "x".repeat(1001) }, "CHAT_MESSAGE_TOO_LONG", id);
    await sendRefused(aliceSocket, { type: "send", client_msg_id: id, body: " \n\t " }, "CHAT_EMPTY_MESSAGE", id);
    await sendRefused(aliceSocket, { type: "send", client_msg_id: id }, "CHAT_EMPTY_MESSAGE", id);
    await sendRefused(aliceSocket, { type: "send", client_msg_id: id, body: "file", attachments: [{ asset_id: "123456" }] }, "CHAT_ATTACHMENT_NOT_FOUND", id);
    const overlap = [0, 1].map(() => ({ shortcode: ":a:", asset_id: "1", start_index: 0, end_index: 2 }));
    await sendRefused(aliceSocket, { type: "send", client_msg_id: id, body: "abc", inline_emotes: overlap }, "VALIDATION_FAILED", id);
    const malformed = await sendRefused(aliceSocket, { type: "send", client_msg_id: id, body: 5, attachments: "none" }, "VALIDATION_FAILED", id);
    expect(malformed.data.details.map((d: { path: string }) => d.path).sort()).toEqual(["attachments", "body"]);
    // Missing or invalid client_msg_id: refused; echoed when it is a string at all.
    const missing = await sendRefused(aliceSocket, { type: "send", body: "no id" }, "VALIDATION_FAILED", null);
    expect(missing.data.details).toMatchObject([{ path: "client_msg_id" }]);
    for (const bad of ["", "has space", "é", "x".repeat(256)]) {
      await sendRefused(aliceSocket, { type: "send", client_msg_id: bad, body: "bad id" }, "VALIDATION_FAILED", bad);
    }
    await sendRefused(aliceSocket, { type: "send", client_msg_id: 42, body: "numeric id" }, "VALIDATION_FAILED", null);
    // Over 64 KiB a frame is refused unparsed: its client_msg_id is not read.
    await sendRefused(aliceSocket, { type: "send", client_msg_id: id, body: "x".repeat(70_000) }, "PAYLOAD_TOO_LARGE", null);
    // Nothing reached anyone, nothing is stored, and the id was never used: it still sends.
    await bobSocket.expectSilence();
    expect(await messagesOf(bob, chat.id)).toEqual([]);
    const { event } = await sendOk(aliceSocket, { client_msg_id: id, body: "finally" });
    expect(event.seq).toBe(1);
  });

  it("refuses a plain member of a broadcast channel, and a demoted admin (checked at send time)", async () => {
    const [owner, reader, editor] = [await newUser("Owner"), await newUser("Reader"), await newUser("Editor")];
    const news = await createChannel(owner, { type: "room", name: "News", broadcast: true });
    await expectStatus(addMember(reader, news.id, reader.id), 201);
    await expectStatus(addMember(owner, news.id, editor.id, "admin"), 201);
    const { client: readerSocket } = await connect(news.id, { user: reader });
    const { client: editorSocket } = await connect(news.id, { user: editor });
    const id = msgId();
    await sendRefused(readerSocket, { type: "send", client_msg_id: id, body: "may I?" }, "CHAT_BROADCAST_ONLY", id);
    const { event } = await sendOk(editorSocket, { client_msg_id: msgId(), body: "from an admin" });
    expect(await readerSocket.expect("message")).toEqual(event);
    // The editor connected as an admin; demoted, the next send is refused.
    await expectStatus(channel(owner, news.id).members[":userID"].$put({ param: { channelID: news.id, userID: editor.id }, json: { role: "member" } }), 200);
    await editorSocket.expect("member_update");
    await readerSocket.expect("member_update");
    const late = msgId();
    await sendRefused(editorSocket, { type: "send", client_msg_id: late, body: "still an admin?" }, "CHAT_BROADCAST_ONLY", late);
    await readerSocket.expectSilence();
    expect((await messagesOf(owner, news.id)).map((m) => m.body)).toEqual(["from an admin"]);
  });

  it("refuses sends into an archived channel and a blocked DM, decided after connecting", async () => {
    const { alice, bob, chat, aliceSocket, bobSocket } = await group();
    await expectStatus(channel(alice, chat.id).$put({ param: { channelID: chat.id }, json: { archived: true } }), 200);
    await aliceSocket.expect("channel_update");
    await bobSocket.expect("channel_update");
    const id = msgId();
    await sendRefused(bobSocket, { type: "send", client_msg_id: id, body: "archived?" }, "CHAT_CHANNEL_ARCHIVED", id);
    await aliceSocket.expectSilence();
    expect(await messagesOf(alice, chat.id)).toEqual([]);

    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    const { client: aliceDm } = await connect(dm.id, { user: alice });
    const { client: bobDm } = await connect(dm.id, { user: bob });
    await expectStatus(api(bob.token).v1.users.me.blocks[":userID"].$put({ param: { userID: alice.id } }), 204);
    const blocked = msgId();
    await sendRefused(aliceDm, { type: "send", client_msg_id: blocked, body: "hello?" }, "CHAT_DM_BLOCKED_USER", blocked);
    await sendRefused(bobDm, { type: "send", client_msg_id: blocked, body: "hello?" }, "CHAT_DM_BLOCKED_USER", blocked);
    await aliceDm.expectSilence();
    expect(await messagesOf(alice, dm.id)).toEqual([]);
  });

  it("refuses a member removed after connecting, even while the room has not heard of it yet", async () => {
    const [owner, guest] = [await newUser("Owner"), await newUser("Guest")];
    const lobby = await createChannel(owner, { type: "room", name: "Lobby" });
    await expectStatus(addMember(guest, lobby.id, guest.id), 201);
    const { client: guestSocket } = await connect(lobby.id, { user: guest });
    const { client: ownerSocket } = await connect(lobby.id, { user: owner });
    // The room is down: the removal commits in D1, its room call waits in the retry queue.
    const stub = env.CHANNEL_ROOM.getByName(lobby.id);
    await stub.failNextCalls(1000);
    await expectStatus(channel(owner, lobby.id).members[":userID"].$delete({ param: { channelID: lobby.id, userID: guest.id } }), 204);
    const id = msgId();
    guestSocket.send({ type: "send", client_msg_id: id, body: "am I still here?" });
    // The guest's socket is still open, but the send is checked against the directory now.
    expect(await guestSocket.expect("error")).toMatchObject({ client_msg_id: id, data: { code: "CHAT_NOT_MEMBER" } });
    await stub.failNextCalls(0);
    // Once the room is back, the queued removal lands: the event, then the socket closes.
    expect(await ownerSocket.expect("member_remove", 30_000)).toMatchObject({ seq: 2, data: { user_id: guest.id } }) // seq 1: the guest joining;
    expect((await guestSocket.closed).code).toBe(4003);
    expect(await messagesOf(owner, lobby.id)).toEqual([]);
  });

  it("answers RATE_LIMITED past the user's send budget in the room (600, refilled 10 a second)", async () => {
    const { alice, bob, chat, aliceSocket } = await group();
    let acked = 0;
    let limited: Frame | undefined;
    // The bucket refills 10 a second while the test sends: on a busy machine that adds up, so the
    // bound grows with the time taken (never a fixed 800).
    const start = Date.now();
    const refilled = () => Math.ceil(((Date.now() - start) / 1000) * 10);
    // Chunks of 50 frames (a client does not pipeline more): each chunk's answers before the next.
    while (!limited && acked < 600 + refilled() + 200) {
      const ids = Array.from({ length: 50 }, () => msgId());
      for (const id of ids) aliceSocket.send({ type: "send", client_msg_id: id, body: "fast" });
      for (let answered = 0; answered < ids.length; ) {
        const frame = await aliceSocket.next(30_000);
        if (frame.type === "ack") (acked++, answered++);
        else if (frame.type === "error") ((limited ??= frame), answered++);
      }
    }
    expect(limited).toMatchObject({ data: { code: "RATE_LIMITED", details: { retry_after: 1 } } });
    expect(acked).toBeGreaterThanOrEqual(600);
    expect(acked).toBeLessThanOrEqual(600 + refilled() + 50);
    // Bob's budget is his own.
    const { client: bobSocket } = await connect(chat.id, { user: bob });
    await sendOk(bobSocket, { client_msg_id: msgId(), body: "mine" });
    void alice;
  }, 120_000);

  it("a flood of 1 MiB frames: PAYLOAD_TOO_LARGE answers, then the socket closed at its budget (1008); others still send", async () => {
    const { chat, aliceSocket, bobSocket } = await group();
    const huge = "x".repeat(1024 * 1024);
    for (let i = 0; i < 40; i++) bobSocket.send(huge);
    let refusedFrames = 0;
    for (;;) {
      try {
        const frame = await bobSocket.next(10_000);
        if (frame.type === "error" && frame.data.code === "PAYLOAD_TOO_LARGE") refusedFrames++;
      } catch {
        break;
      }
    }
    expect((await bobSocket.closed).code).toBe(1008);
    expect(refusedFrames).toBeGreaterThanOrEqual(10);
    expect(refusedFrames).toBeLessThanOrEqual(20);
    await sendOk(aliceSocket, { client_msg_id: msgId(), body: "still here" });
    void chat;
  });
});

describe("order", () => {
  it("answers 20 sends in a row in order: acks, events with consecutive seqs, stored in that order", async () => {
    const { bob, chat, aliceSocket, bobSocket } = await group();
    const ids = Array.from({ length: 20 }, () => msgId());
    for (const [i, id] of ids.entries()) aliceSocket.send({ type: "send", client_msg_id: id, body: `burst ${i}` });
    const acks: Frame[] = [];
    for (let i = 0; i < ids.length; i++) {
      const event = await aliceSocket.expect("message");
      const ack = await aliceSocket.expect("ack");
      expect(ack.data).toEqual(event.data);
      acks.push(ack);
    }
    expect(acks.map((a) => a.client_msg_id)).toEqual(ids);
    expect(acks.map((a) => a.data.body)).toEqual(ids.map((_, i) => `burst ${i}`));
    const events: Frame[] = [];
    for (let i = 0; i < ids.length; i++) events.push(await bobSocket.expect("message"));
    expect(events.map((e) => e.seq)).toEqual(ids.map((_, i) => i + 1));
    expect(events.map((e) => e.data)).toEqual(acks.map((a) => a.data));
    const listed = await messagesOf(bob, chat.id);
    expect(listed.map((m) => m.body).reverse()).toEqual(ids.map((_, i) => `burst ${i}`));
    const sortedIds = acks.map((a) => a.data.id as string);
    expect([...sortedIds].sort()).toEqual(sortedIds);
  });

  it("answers a slow send before a quick one that follows it", async () => {
    const { alice, chat, aliceSocket, bobSocket } = await group();
    // An attachment costs the first send extra D1 round trips; handled concurrently, the second would overtake it.
    const file = await expectStatus(upload(alice, new TextEncoder().encode("slow"), "text/plain", "slow.txt"), 201);
    const slow = msgId();
    const quick = msgId();
    aliceSocket.send({ type: "send", client_msg_id: slow, body: "slow", attachments: [{ asset_id: file.asset_id }] });
    aliceSocket.send({ type: "send", client_msg_id: quick, body: "quick" });
    expect((await aliceSocket.expect("message")).data.body).toBe("slow");
    expect((await aliceSocket.expect("ack")).client_msg_id).toBe(slow);
    expect((await aliceSocket.expect("message")).data.body).toBe("quick");
    expect((await aliceSocket.expect("ack")).client_msg_id).toBe(quick);
    expect((await bobSocket.expect("message")).data.body).toBe("slow");
    expect((await bobSocket.expect("message")).data.body).toBe("quick");
    expect((await messagesOf(alice, chat.id)).map((m) => m.body)).toEqual(["quick", "slow"]);
  });

  it("keeps order when REST and socket sends alternate", async () => {
    const { alice, bob, chat, aliceSocket, bobSocket } = await group();
    const bodies: string[] = [];
    for (let i = 0; i < 4; i++) {
      await sendOk(aliceSocket, { client_msg_id: msgId(), body: `socket ${i}` });
      await send(alice, chat.id, `rest ${i}`);
      await aliceSocket.expect("message");
      bodies.push(`socket ${i}`, `rest ${i}`);
    }
    const events: Frame[] = [];
    for (let i = 0; i < bodies.length; i++) events.push(await bobSocket.expect("message"));
    expect(events.map((e) => e.data.body)).toEqual(bodies);
    expect(events.map((e) => e.seq)).toEqual(bodies.map((_, i) => i + 1));
    expect((await messagesOf(bob, chat.id)).map((m) => m.body).reverse()).toEqual(bodies);
  });
});
