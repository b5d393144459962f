import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createChannel, newUser, send } from "../helpers/api";
import { api } from "../helpers/client";
import { type Client, type Frame, connect } from "../helpers/ws";

async function room() {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const group = await createChannel(alice, { type: "group", name: "Delivery", member_ids: [bob.id] });
  return { alice, bob, group, stub: env.CHANNEL_ROOM.getByName(group.id) };
}

/** The next `n` message frames, waiting long enough for the retry queue's backoff. */
async function messages(client: Client, n: number): Promise<Frame[]> {
  const frames: Frame[] = [];
  while (frames.length < n) frames.push(await client.expect("message", 30_000));
  return frames;
}

const expectGapFree = (frames: Frame[], from: number) => expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => from + i));

describe("events are never silently lost", () => {
  it("retries a failing room within the request: every event once, in order", async () => {
    const { alice, bob, group, stub } = await room();
    const { client } = await connect(group.id, { user: bob });
    await stub.failNextCalls(2);
    for (const body of ["one", "two", "three"]) await send(alice, group.id, body);
    const got = await messages(client, 3);
    expect(got.map((f) => f.data.body)).toEqual(["one", "two", "three"]);
    expectGapFree(got, 1);
  });

  it("hands calls to the queue when the room stays down past the request's budget: none lost, none twice, order kept", async () => {
    const { alice, bob, group, stub } = await room();
    const { client } = await connect(group.id, { user: bob });
    await stub.failNextCalls(12);
    const bodies = Array.from({ length: 6 }, (_, i) => `queued ${i}`);
    for (const body of bodies) await send(alice, group.id, body); // each answered 201 although the room is down
    const got = await messages(client, bodies.length);
    expect(got.map((f) => f.data.body)).toEqual(bodies);
    expectGapFree(got, 1);
    // Nothing more arrives: the next event is the very next seq.
    await send(alice, group.id, "after");
    expect(await client.expect("message", 30_000)).toMatchObject({ seq: bodies.length + 1, data: { body: "after" } });
  });

  it("deduplicates a call whose answer was lost and that is retried", async () => {
    const { bob, group, stub } = await room();
    const { client } = await connect(group.id, { user: bob });
    const first = await stub.publish(group.id, "channel_update", { id: group.id }, "event-1");
    const retried = await stub.publish(group.id, "channel_update", { id: group.id }, "event-1");
    expect(retried).toBe(first);
    await stub.publish(group.id, "channel_update", { id: group.id, marker: true }, "event-2");
    expect((await client.expect("channel_update")).seq).toBe(1);
    expect(await client.expect("channel_update")).toMatchObject({ seq: 2, data: { marker: true } });
  });

  it("closes a removed member's sockets even when the first attempts fail", async () => {
    const { alice, bob, group, stub } = await room();
    const { client } = await connect(group.id, { user: bob });
    await stub.failNextCalls(2);
    const res = await api(alice.token).v1.channels[":channelID"].members[":userID"].$delete({ param: { channelID: group.id, userID: bob.id } });
    expect(res.status).toBe(204);
    expect(await client.expect("member_remove", 30_000)).toMatchObject({ seq: 1, data: { user_id: bob.id } });
    expect((await client.closed).code).toBe(4003);
  });

  it("loses and duplicates nothing when the room is evicted in the middle of a burst", async () => {
    const { alice, bob, group, stub } = await room();
    const { client } = await connect(group.id, { user: bob });
    const bodies = Array.from({ length: 24 }, (_, i) => `burst ${i}`);
    const sends = bodies.map((body, i) =>
      (i === 8 ? evictDurableObject(stub) : Promise.resolve()).then(() => send(alice, group.id, body)),
    );
    await Promise.all(sends);
    const got = await messages(client, bodies.length);
    expect(got.map((f) => f.data.body).sort()).toEqual([...bodies].sort());
    expectGapFree(got, 1);
    const replay = await connect(group.id, { user: bob, sinceSeq: 0 });
    const replayed = await messages(replay.client, bodies.length);
    expect(replayed.map((f) => f.data.id)).toEqual(got.map((f) => f.data.id));
  });
});
