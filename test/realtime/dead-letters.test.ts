import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createChannel, newUser } from "../helpers/api";
import { api } from "../helpers/client";
import { type Client, type Frame, connect } from "../helpers/ws";

// Issue #25: a room unreachable for longer than the JOBS queue's retries (about a minute in
// production; 11 attempts without delay here) must still get every event, in order, once it is back.
// The room is held down with its fault switch (failNextCalls: a huge count is "down", 0 is "back").
// DEAD_LETTER_RETRY_SECONDS is "1,1" in vitest.config.ts, so the dead-letter line retries every second.

const DOWN = 1_000_000;

async function room(name: string) {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const group = await createChannel(alice, { type: "group", name, member_ids: [bob.id] });
  const { client } = await connect(group.id, { user: bob });
  return { alice, group, client, stub: env.CHANNEL_ROOM.getByName(group.id) };
}

type Backlog = { count: number; oldest_age_seconds: number | null; channels: { channel_id: string; count: number }[]; sample: { channel_id: string; type: string | null }[] };

async function backlog(): Promise<Backlog> {
  const res = await api(env.ADMIN_TOKEN).admin.v1["dead-letters"].$get();
  expect(res.status).toBe(200);
  return (await res.json()) as Backlog;
}

/** Polls the admin route until `done` holds (the queues work in the background); fails after `ms`. */
async function backlogUntil(done: (b: Backlog) => boolean, ms = 45_000): Promise<Backlog> {
  const deadline = Date.now() + ms;
  for (;;) {
    const b = await backlog();
    if (done(b)) return b;
    if (Date.now() > deadline) throw new Error(`backlog never reached the expected state: ${JSON.stringify(b)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const waiting = (b: Backlog, channelId: string) => b.channels.find((c) => c.channel_id === channelId)?.count ?? 0;

async function frames(client: Client, type: string, n: number): Promise<Frame[]> {
  const got: Frame[] = [];
  while (got.length < n) got.push(await client.expect(type, 45_000));
  return got;
}

const update = (channelId: string, name: string) => ({ kind: "publish" as const, channelId, eventId: crypto.randomUUID(), type: "channel_update" as const, data: { id: channelId, name } });

describe("the JOBS dead-letter line", () => {
  it("keeps a room's events past the queue's retries and delivers them all, in order, once it is back; the admin route shows the wait", async () => {
    const { alice, group, client, stub } = await room("Outage");
    await stub.failNextCalls(DOWN);
    const names = ["first", "second", "third"];
    for (const name of names) {
      const res = await api(alice.token).v1.channels[":channelID"].$put({ param: { channelID: group.id }, json: { name } });
      expect(res.status).toBe(200); // committed: the room's call is queued
    }
    // JOBS gives up on all three; they wait in the line, visible to the operator, in order.
    const during = await backlogUntil((b) => waiting(b, group.id) === names.length);
    expect(during.count).toBeGreaterThanOrEqual(names.length);
    expect(during.oldest_age_seconds).not.toBeNull();
    expect(during.sample.filter((s) => s.channel_id === group.id).map((s) => s.type)).toEqual(["channel_update", "channel_update", "channel_update"]);
    await client.expectSilence(); // nothing reached the sockets while the room was down

    await stub.failNextCalls(0); // the room is back
    const got = await frames(client, "channel_update", names.length);
    expect(got.map((f) => f.data.name)).toEqual(names);
    expect(got.map((f) => f.seq)).toEqual([1, 2, 3]);
    const after = await backlogUntil((b) => b.count === 0);
    expect(after).toMatchObject({ count: 0, oldest_age_seconds: null, channels: [], sample: [] });
    await client.expectSilence(); // and nothing twice
  });

  it("retries only the failing channel's calls of a batch: the others are delivered at once, each channel in order", async () => {
    const down = await room("Down");
    const flaky = await room("Flaky");
    const up = await room("Up");
    await down.stub.failNextCalls(DOWN);
    await flaky.stub.failNextCalls(1); // its first call fails once: its second must not overtake it
    const [d1, f1, u1, f2, d2, u2] = [
      update(down.group.id, "d1"),
      update(flaky.group.id, "f1"),
      update(up.group.id, "u1"),
      update(flaky.group.id, "f2"),
      update(down.group.id, "d2"),
      update(up.group.id, "u2"),
    ];
    // One batch (sent together, max_batch_size 10), the failing channel first.
    await env.JOBS.sendBatch([d1, f1, u1, f2, d2, u2].map((body) => ({ body, contentType: "json" as const })));

    expect((await frames(up.client, "channel_update", 2)).map((f) => f.data.name)).toEqual(["u1", "u2"]);
    expect((await frames(flaky.client, "channel_update", 2)).map((f) => [f.seq, f.data.name])).toEqual([[1, "f1"], [2, "f2"]]);
    await backlogUntil((b) => waiting(b, down.group.id) === 2);
    await down.client.expectSilence();

    await down.stub.failNextCalls(0);
    expect((await frames(down.client, "channel_update", 2)).map((f) => [f.seq, f.data.name])).toEqual([[1, "d1"], [2, "d2"]]);
    await backlogUntil((b) => b.count === 0);
  });
});
