import { describe, expect, it } from "vitest";
import { addMember, call, createChannel, expectError, listed, newUser, send } from "../helpers/api";

async function setup() {
  const [alice, bob] = [await newUser(), await newUser()];
  const group = await createChannel(alice, { type: "group", name: "G", member_ids: [bob.id] });
  const read = (user: { token: string }, messageId: string) =>
    call("POST", `/v1/channels/${group.id}/read`, { token: user.token, body: { last_read_message_id: messageId } });
  const unread = async (user: typeof alice) => (await listed(user, group.id))!.unread_count;
  return { alice, bob, group, read, unread };
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
    const { alice, bob, group, read, unread } = await setup();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await send(alice, group.id, `m${i}`)).id);
    expect(await unread(bob)).toBe(5);
    const res = await read(bob, ids[4]!);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ channel_id: group.id, last_read_message_id: ids[4], updated_at: expect.any(Number) });
    expect(await unread(bob)).toBe(0);
    await read(bob, ids[1]!); // mark unread
    expect(await unread(bob)).toBe(3);
    expect((await listed(bob, group.id))!.last_read_message_id).toBe(ids[1]);
  });

  it("follows deletes and ignores edits", async () => {
    const { alice, bob, group, read, unread } = await setup();
    const a = await send(alice, group.id, "a");
    const b = await send(alice, group.id, "b");
    const c = await send(alice, group.id, "c");
    expect(await unread(bob)).toBe(3);
    await call("PUT", `/v1/channels/${group.id}/messages/${b.id}`, { token: alice.token, body: { body: "b2" } });
    expect(await unread(bob)).toBe(3);
    await call("DELETE", `/v1/channels/${group.id}/messages/${b.id}`, { token: alice.token });
    expect(await unread(bob)).toBe(2);
    await read(bob, a.id);
    expect(await unread(bob)).toBe(1);
    await call("DELETE", `/v1/channels/${group.id}/messages/${a.id}`, { token: alice.token });
    expect(await unread(bob)).toBe(1); // deleted before the cursor: nothing changes
    await read(bob, c.id);
    expect(await unread(bob)).toBe(0);
  });

  it("counts your own messages as read even after you mark earlier ones unread", async () => {
    const { alice, bob, group, read, unread } = await setup();
    const first = await send(alice, group.id, "a");
    await send(bob, group.id, "mine");
    await send(alice, group.id, "b");
    await read(bob, first.id);
    expect(await unread(bob)).toBe(1);
  });

  it("starts newcomers with nothing unread", async () => {
    const { alice, group, unread } = await setup();
    await send(alice, group.id, "old news");
    const carol = await newUser();
    await addMember(alice, group.id, carol.id);
    expect(await unread(carol)).toBe(0);
    await send(alice, group.id, "new");
    expect(await unread(carol)).toBe(1);
  });

  it("refuses cursors on unknown messages or other channels' messages, and non-members", async () => {
    const { alice, group, read } = await setup();
    const other = await createChannel(alice, { type: "group", name: "other" });
    const elsewhere = await send(alice, other.id, "x");
    expectError(await read(alice, elsewhere.id), 404, "CHAT_MESSAGE_NOT_FOUND");
    expectError(await read(alice, "1234567890123456789"), 404, "CHAT_MESSAGE_NOT_FOUND");
    expectError(await read(alice, "nope"), 400, "VALIDATION_FAILED");
    const outsider = await newUser();
    expectError(await read(outsider, elsewhere.id), 404, "CHAT_CHANNEL_NOT_FOUND");
  });

  it("lists 100 channels with unread counts in one query, without scanning history", async () => {
    const [reader, writer] = [await newUser(), await newUser()];
    const busy = await createChannel(writer, { type: "group", name: "busy", member_ids: [reader.id] });
    for (let i = 0; i < 60; i++) await send(writer, busy.id, `m${i}`);
    for (let i = 0; i < 99; i++) await createChannel(reader, { type: "group", name: `g${i}` });
    const res = await call("GET", "/v1/channels", { token: reader.token });
    expect(res.json).toHaveLength(100);
    expect(res.json.find((c: { id: string }) => c.id === busy.id).unread_count).toBe(60);
    const timing = res.headers.get("Server-Timing")!;
    expect(timing).toContain('desc="1 queries"');
    const rowsRead = (t: string) => Number(t.match(/d1-rows-read;desc="(\d+)"/)![1]);
    // Counts come from positions: 100 more unread messages cost the list nothing more.
    for (let i = 0; i < 100; i++) await send(writer, busy.id, `more ${i}`);
    const later = await call("GET", "/v1/channels", { token: reader.token });
    expect(later.json.find((c: { id: string }) => c.id === busy.id).unread_count).toBe(160);
    expect(rowsRead(later.headers.get("Server-Timing")!)).toBe(rowsRead(timing));
  });
});
