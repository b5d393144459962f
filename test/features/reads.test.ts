import { describe, expect, it } from "vitest";
import { type TestUser, addMember, createChannel, expectError, expectStatus, listed, newUser, send, settled } from "../helpers/api";
import { api } from "../helpers/client";

async function setup() {
  const [alice, bob] = [await newUser(), await newUser()];
  const group = await createChannel(alice, { type: "group", name: "G", member_ids: [bob.id] });
  const read = (user: TestUser, messageId: string) =>
    api(user.token).v1.channels[":channelID"].read.$post({ param: { channelID: group.id }, json: { last_read_message_id: messageId } });
  const unread = async (user: TestUser) => (await listed(user, group.id))!.unread_count;
  const message = (user: TestUser, messageID: string) => api(user.token).v1.channels[":channelID"].messages[":messageID"];
  const edit = (user: TestUser, messageID: string, body: string) => message(user, messageID).$put({ param: { channelID: group.id, messageID }, json: { body } });
  const remove = (user: TestUser, messageID: string) => message(user, messageID).$delete({ param: { channelID: group.id, messageID } });
  return { alice, bob, group, read, unread, edit, remove };
}

describe("read cursor and unread counts", () => {
  it("counts others' messages after the cursor; sending marks the channel read for the sender", async () => {
    const { alice, bob, group, unread } = await setup();
    await send(alice, group.id, "1");
    const m2 = await send(alice, group.id, "2");
    expect(await unread(bob)).toBe(2);
    expect(await unread(alice)).toBe(0);
    expect((await listed(alice, group.id))!.last_read_message_id).toBe(m2.id);
    const reply = await send(bob, group.id, "3");
    expect(await unread(bob)).toBe(0);
    expect((await listed(bob, group.id))!.last_read_message_id).toBe(reply.id);
    expect(await unread(alice)).toBe(1);
    await send(alice, group.id, "4");
    expect(await unread(alice)).toBe(0);
    expect(await unread(bob)).toBe(1);
  });

  it("moves the cursor forward and back (the seed's response), and counts follow", async () => {
    const { bob, alice, group, read, unread } = await setup();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await send(alice, group.id, `m${i}`)).id);
    expect(await unread(bob)).toBe(5);
    const cursor = await expectStatus(read(bob, ids[4]!), 200);
    expect(cursor).toEqual({ channel_id: group.id, last_read_message_id: ids[4], updated_at: expect.any(Number) });
    expect(await unread(bob)).toBe(0);
    await expectStatus(read(bob, ids[1]!), 200); // mark unread
    expect(await unread(bob)).toBe(3);
    expect((await listed(bob, group.id))!.last_read_message_id).toBe(ids[1]);
  });

  it("follows deletes and ignores edits", async () => {
    const { alice, bob, group, read, unread, edit, remove } = await setup();
    const a = await send(alice, group.id, "a");
    const b = await send(alice, group.id, "b");
    const c = await send(alice, group.id, "c");
    expect(await unread(bob)).toBe(3);
    await expectStatus(edit(alice, b.id, "b2"), 200);
    expect(await unread(bob)).toBe(3);
    await expectStatus(remove(alice, b.id), 204);
    expect(await unread(bob)).toBe(2);
    await expectStatus(read(bob, a.id), 200);
    expect(await unread(bob)).toBe(1);
    await expectStatus(remove(alice, a.id), 204);
    expect(await unread(bob)).toBe(1); // deleted before the cursor: nothing changes
    await expectStatus(read(bob, c.id), 200);
    expect(await unread(bob)).toBe(0);
  });

  it("counts your own messages as read even after you mark earlier ones unread", async () => {
    const { alice, bob, group, read, unread } = await setup();
    const first = await send(alice, group.id, "a");
    await send(bob, group.id, "mine");
    await send(alice, group.id, "b");
    await expectStatus(read(bob, first.id), 200);
    expect(await unread(bob)).toBe(1);
  });

  it("starts newcomers with nothing unread", async () => {
    const { alice, group, unread } = await setup();
    await send(alice, group.id, "old news");
    const carol = await newUser();
    await expectStatus(addMember(alice, group.id, carol.id), 201);
    expect(await unread(carol)).toBe(0);
    await send(alice, group.id, "new");
    expect(await unread(carol)).toBe(1);
  });

  it("refuses cursors on unknown messages or other channels' messages, and non-members", async () => {
    const { alice, group, read } = await setup();
    const other = await createChannel(alice, { type: "group", name: "other" });
    const elsewhere = await send(alice, other.id, "x");
    const here = await send(alice, group.id, "here");
    await expectError(read(alice, elsewhere.id), 404, "CHAT_MESSAGE_NOT_FOUND");
    await expectError(read(alice, "1234567890123456789"), 404, "CHAT_MESSAGE_NOT_FOUND");
    await expectError(read(alice, "nope"), 400, "VALIDATION_FAILED");
    const outsider = await newUser();
    await expectError(read(outsider, elsewhere.id), 404, "CHAT_CHANNEL_NOT_FOUND");
    expect((await listed(alice, group.id))!.last_read_message_id).toBe(here.id);
  });

  it("lists 100 channels with unread counts in one query, without scanning history", async () => {
    const [reader, writer] = [await newUser(), await newUser()];
    const busy = await createChannel(writer, { type: "group", name: "busy", member_ids: [reader.id] });
    for (let i = 0; i < 60; i++) await send(writer, busy.id, `m${i}`);
    for (let i = 0; i < 99; i++) await createChannel(reader, { type: "group", name: `g${i}` });
    await settled(busy.id); // counts trail the sends by the directory queue (DESIGN §12)
    const list = () => api(reader.token).v1.channels.$get({ query: {} });
    const res = await list();
    const timing = res.headers.get("Server-Timing")!;
    const channels = await expectStatus(res, 200);
    expect(channels).toHaveLength(100);
    expect(channels.find((c) => c.id === busy.id)!.unread_count).toBe(60);
    expect(timing).toContain('desc="1 queries"');
    const rowsRead = (t: string) => Number(t.match(/d1-rows-read;desc="(\d+)"/)![1]);
    // Counts come from positions: 100 more unread messages cost the list nothing more.
    for (let i = 0; i < 100; i++) await send(writer, busy.id, `more ${i}`);
    await settled(busy.id);
    const later = await list();
    const laterTiming = later.headers.get("Server-Timing")!;
    expect((await expectStatus(later, 200)).find((c) => c.id === busy.id)!.unread_count).toBe(160);
    expect(rowsRead(laterTiming)).toBe(rowsRead(timing));
  });
});
