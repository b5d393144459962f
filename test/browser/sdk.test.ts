// The SDK on its own in Node 22 (global fetch and WebSocket) against the same wrangler dev as the
// browser tests: REST, events, reconnect with since_seq replay, idempotent sends, token refresh, upload.
import { afterAll, expect, inject, test } from "vitest";
import { ChatClient, type ChannelEvent } from "../../sdk";

const base = inject("apiBase");
const run = Math.random().toString(36).slice(2, 7);
const clients: ChatClient[] = [];
afterAll(() => clients.forEach((c) => c.close()));

/** A WebSocket that records every instance, so a test can drop them as a deploy would. */
function recordingWebSocket() {
  const sockets: WebSocket[] = [];
  class Recording extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
    }
  }
  return { sockets, WebSocket: Recording };
}

/** fetch that can be switched off: tickets then fail, so reconnects back off until it is on again. */
function switchableFetch() {
  const state = { online: true };
  const impl: typeof fetch = (input, init) => (state.online ? fetch(input, init) : Promise.reject(new TypeError("fetch failed: offline")));
  return { state, fetch: impl };
}

async function user(name: string, extra: Partial<ConstructorParameters<typeof ChatClient>[0]> = {}) {
  const id = `${name}-${run}`;
  const { token } = await ChatClient.devLogin(base, id, name);
  const client = new ChatClient({ baseUrl: base, token, backoff: { baseMs: 100, maxMs: 1000 }, ...extra });
  clients.push(client);
  await client.me(); // a user exists once a token of theirs has been used
  return { id, client };
}

/** Collects the bodies of `message` events of one channel. */
function bodies(client: ChatClient, channelId: string): string[] {
  const seen: string[] = [];
  client.on("message", (e: ChannelEvent<"message">) => e.channelId === channelId && seen.push(e.data.body));
  return seen;
}

test("send, receive events, reconnect with since_seq: every event once, in order", async () => {
  const alice = await user("alice");
  const rec = recordingWebSocket();
  const net = switchableFetch();
  const bob = await user("bob", { WebSocket: rec.WebSocket, fetch: net.fetch });
  const group = await alice.client.createGroup(`sdk ${run}`, [bob.id]);

  const seen = bodies(bob.client, group.id);
  const sub = bob.client.subscribe(group.id);
  await sub.ready();
  await alice.client.send(group.id, "one");
  await expect.poll(() => seen, { timeout: 20_000 }).toEqual(["one"]);
  const seqBefore = sub.seq!;

  // The connection drops and cannot come back (no tickets) while two messages are sent.
  net.state.online = false;
  const replayed = bob.client.once("ready", (r) => r.channelId === group.id && r.replayed);
  rec.sockets.at(-1)!.close();
  await bob.client.once("status", (s) => s.status === "reconnecting");
  await alice.client.send(group.id, "two");
  await alice.client.send(group.id, { body: "three" });
  net.state.online = true;
  await replayed;
  await expect.poll(() => seen, { timeout: 20_000 }).toEqual(["one", "two", "three"]);
  expect(new URL(rec.sockets.at(-1)!.url).searchParams.get("since_seq")).toBe(String(seqBefore));
  expect(sub.seq).toBe(seqBefore + 2);

  // Live again: the next message arrives once.
  await alice.client.send(group.id, "four");
  await expect.poll(() => seen, { timeout: 20_000 }).toEqual(["one", "two", "three", "four"]);
});

test("sends are idempotent: a retry with the same key stores one message", async () => {
  const alice = await user("carol");
  const bob = await user("dave");
  const dm = await alice.client.createDm(bob.id);
  const first = await alice.client.send(dm.id, "exactly once", { idempotencyKey: `key-${run}` });
  const again = await alice.client.send(dm.id, "exactly once", { idempotencyKey: `key-${run}` });
  expect(again.id).toBe(first.id);
  const page = await bob.client.history(dm.id);
  expect(page.messages.map((m) => m.body)).toEqual(["exactly once"]);
  expect((await bob.client.channels()).find((c) => c.id === dm.id)?.unread_count).toBe(1);
});

test("a 401 calls the refresh hook once and retries; uploads work from Node", async () => {
  const { token } = await ChatClient.devLogin(base, `erin-${run}`, "Erin");
  let refreshes = 0;
  const client = new ChatClient({ baseUrl: base, token: "expired.or.bad", refreshToken: async () => (refreshes++, token) });
  clients.push(client);
  expect(await client.me()).toEqual({ id: `erin-${run}`, display_name: "Erin" });
  expect(refreshes).toBe(1);

  const progress: number[] = [];
  const file = new Blob(["hello file"], { type: "text/plain" });
  const uploaded = await client.upload(file, { filename: "notes.txt", onProgress: (p) => progress.push(p.loaded) });
  expect(uploaded).toMatchObject({ filename: "notes.txt", content_type: "text/plain", size_bytes: 10 });
  expect(progress.at(-1)).toBe(10);
  const group = await client.createGroup(`files ${run}`);
  const sent = await client.send(group.id, { body: "", attachments: [{ asset_id: uploaded.asset_id }] });
  const url = await client.attachmentUrl(group.id, sent.id, uploaded.asset_id);
  expect(await (await fetch(url)).text()).toBe("hello file");
});
