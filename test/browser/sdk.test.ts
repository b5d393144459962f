// The SDK on its own in Node 22 (global fetch and WebSocket) against the same wrangler dev as the
// browser tests: REST, events, reconnect with since_seq replay, idempotent sends, token refresh, upload.
import { afterAll, expect, inject, test } from "vitest";
import { ChatApiError, ChatClient, type ChannelEvent, type NotifyData } from "../../sdk/index";

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
  // Counts follow through the directory queue (DESIGN §12): about a second after the 201.
  await expect.poll(async () => (await bob.client.channels()).find((c) => c.id === dm.id)?.unread_count, { timeout: 10_000 }).toBe(1);
});

test("a read answered 503 CHAT_UNAVAILABLE is repeated after Retry-After: the caller just gets the page", async () => {
  const alice = await user("erin");
  const group = await alice.client.createGroup(`retry ${run}`);
  await alice.client.send(group.id, "still here");
  // The server's test-only switch (FAULT_INJECTION): the first history request has its D1 read fail
  // twice in a row, so the server answers 503 with Retry-After; the repeat goes through untouched.
  const statuses: number[] = [];
  let faulted = false;
  const faultOnce: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    if (!faulted && String(input).includes(`/v1/channels/${group.id}/messages`)) {
      faulted = true;
      headers.set("X-Fault-D1", "read:2");
    }
    const res = await fetch(input, { ...init, headers });
    statuses.push(res.status);
    return res;
  };
  const reader = new ChatClient({ baseUrl: base, token: alice.client.token, fetch: faultOnce });
  const started = Date.now();
  const page = await reader.history(group.id);
  expect(page.messages.map((m) => m.body)).toEqual(["still here"]);
  expect(statuses).toEqual([503, 200]);
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // the server's Retry-After: 1
});

test("a 401 calls the refresh hook once and retries; uploads work from Node", async () => {
  const { token } = await ChatClient.devLogin(base, `erin-${run}`, "Erin");
  let refreshes = 0;
  const client = new ChatClient({ baseUrl: base, token: "expired.or.bad", refreshToken: async () => (refreshes++, token) });
  clients.push(client);
  expect(await client.me()).toEqual({ id: `erin-${run}`, display_name: "Erin", dnd_until: null });
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

test("socket sends: ack by client_msg_id (no HTTP request), errors as ChatApiError, resent after a reconnect, deduped", async () => {
  const alice = await user("frank");
  const posts: string[] = [];
  const rec = recordingWebSocket();
  const counting: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if ((init?.method ?? "GET") === "POST" && url.pathname.endsWith("/messages")) posts.push(url.pathname);
    return fetch(input, init);
  };
  const { token } = await ChatClient.devLogin(base, `gina-${run}`, "Gina");
  const gina = new ChatClient({ baseUrl: base, token, fetch: counting, WebSocket: rec.WebSocket, backoff: { baseMs: 100, maxMs: 500 } });
  clients.push(gina);
  await gina.me();
  const group = await alice.client.createGroup(`socket sends ${run}`, [`gina-${run}`]);
  const seen = bodies(alice.client, group.id);
  await alice.client.subscribe(group.id).ready();
  await gina.subscribe(group.id).ready();

  const sent = await gina.send(group.id, "over the socket");
  expect(sent.body).toBe("over the socket");
  const root = await gina.send(group.id, { body: "a root" });
  const r = await gina.reply(group.id, root.id, "in the thread");
  expect(r.parent_id).toBe(root.id);
  expect(posts).toEqual([]); // no REST send
  const refused = await gina.send(group.id, "").catch((err: unknown) => err); // the server's error frame
  expect(refused).toBeInstanceOf(ChatApiError);
  expect((refused as ChatApiError).code).toMatch(/^(CHAT_EMPTY_MESSAGE|VALIDATION_FAILED)$/);

  // The link drops right after a frame went out: the frame is resent on `ready`, stored once.
  const pending = gina.send(group.id, "resent after reconnect", { idempotencyKey: `resend-${run}` });
  rec.sockets.at(-1)!.close();
  const again = await pending;
  const twice = await gina.send(group.id, "resent after reconnect", { idempotencyKey: `resend-${run}` });
  expect(twice.id).toBe(again.id);
  await expect.poll(() => seen, { timeout: 20_000 }).toEqual(["over the socket", "a root", "in the thread", "resent after reconnect"]);
  const page = await alice.client.history(group.id);
  expect(page.messages.filter((m) => m.body === "resent after reconnect")).toHaveLength(1);
  expect((await alice.client.replies(group.id, root.id)).messages.map((m) => m.body)).toEqual(["in the thread"]);

  // No channel socket: REST with the Idempotency-Key.
  gina.unsubscribe(group.id);
  await gina.send(group.id, "over REST");
  expect(posts).toHaveLength(1);
});

test("the user socket: notify with mentions_me, channel_add; pins, search, mentions feed, reads", async () => {
  const hana = await user("hana");
  const ivan = await user("ivan");
  const notes: NotifyData[] = [];
  const added: string[] = [];
  const us = ivan.client.connectUser();
  us.on("notify", (n) => notes.push(n));
  us.on("channel_add", (ch) => added.push(ch.id));
  await us.ready();
  const group = await hana.client.createGroup(`user socket ${run}`, [ivan.id]);
  await expect.poll(() => added, { timeout: 20_000 }).toEqual([group.id]);
  const m = await hana.client.send(group.id, { body: `hey @Ivan zeppelin${run}`, mentioned_user_ids: [ivan.id] });
  await expect.poll(() => notes.map((n) => [n.message_id, n.mentions_me]), { timeout: 20_000 }).toEqual([[m.id, true]]);
  // The message a notify names, read back (retried while history trails the room).
  expect(await ivan.client.notified(notes[0]!)).toMatchObject({ id: m.id, body: m.body });
  expect((await ivan.client.channels()).find((c) => c.id === group.id)?.mention_count).toBe(1);
  expect((await ivan.client.mentions()).messages.map((x) => x.id)).toEqual([m.id]);
  expect((await ivan.client.search(`zeppelin${run}`)).messages.map((x) => x.id)).toEqual([m.id]);

  await ivan.client.pin(group.id, m.id);
  expect((await hana.client.pins(group.id)).map((x) => x.id)).toEqual([m.id]);
  await ivan.client.unpin(group.id, m.id);
  expect(await hana.client.pins(group.id)).toEqual([]);

  await ivan.client.markRead(group.id, m.id);
  const { reads } = await hana.client.reads(group.id);
  expect(reads.find((x) => x.user_id === ivan.id)?.last_read_message_id).toBe(m.id);
  await ivan.client.react(group.id, m.id, "👍");
  expect((await hana.client.history(group.id)).messages[0]!.reactions).toMatchObject([{ emote_asset_id: "👍", count: 1, user_ids: [ivan.id] }]);
});

test("moderation: report and resolve, ban and mute (listed, lifted), slow mode; a socket send's refusal has REST's status", async () => {
  const owner = await user("olga");
  const member = await user("petr");
  const group = await owner.client.createGroup(`moderation ${run}`, [member.id]);
  const m = await owner.client.send(group.id, `report me ${run}`, { via: "rest" });

  const report = await member.client.report(group.id, m.id, "spam", "a link farm");
  expect(report).toMatchObject({ reporter_id: member.id, reason: "spam", note: "a link farm", status: "open" });
  expect((await member.client.report(group.id, m.id, "hate")).id).toBe(report.id); // the first report, again
  const refused = await member.client.channelReports(group.id).catch((err: unknown) => err);
  expect(refused).toMatchObject({ status: 403, code: "CHAT_NOT_ADMIN" });
  expect((await owner.client.channelReports(group.id, "open")).reports.map((r) => [r.id, r.message.body])).toEqual([[report.id, m.body]]);
  expect(await owner.client.resolveReport(group.id, report.id, { action: "dismiss" })).toMatchObject({ status: "resolved" });
  expect((await owner.client.channelReports(group.id, "open")).reports).toEqual([]);

  // A mute: the member's socket send is refused as REST would refuse it (403), until it is lifted.
  const mute = await owner.client.mute(group.id, member.id, 600);
  expect((await owner.client.mutes(group.id)).map((x) => x.user_id)).toEqual([member.id]);
  expect((await member.client.channel(group.id)).muted_until).toBe(mute.expires_at);
  await member.client.subscribe(group.id).ready();
  const muted = await member.client.send(group.id, "still here?").catch((err: unknown) => err);
  expect(muted).toBeInstanceOf(ChatApiError);
  expect(muted).toMatchObject({ status: 403, code: "CHAT_MUTED" });
  await owner.client.unmute(group.id, member.id);
  expect(await owner.client.mutes(group.id)).toEqual([]);

  // Slow mode: the second message within 30 s is a 429 with the wait, not retried by send.
  expect((await owner.client.setSlowMode(group.id, 30)).slow_mode_s).toBe(30);
  await member.client.send(group.id, "first");
  const slow = (await member.client.send(group.id, "second").catch((err: unknown) => err)) as ChatApiError;
  expect(slow).toMatchObject({ status: 429, code: "CHAT_SLOW_MODE" });
  expect(slow.retryable).toBe(false);
  expect(slow.retryAfterMs).toBeGreaterThan(20_000);

  // A ban removes the member; the API lists it until it is lifted.
  const ban = await owner.client.ban(group.id, member.id, { reason: "spam" });
  expect(ban).toMatchObject({ user_id: member.id, banned_by: owner.id, reason: "spam", expires_at: null });
  expect((await owner.client.bans(group.id)).map((b) => b.user_id)).toEqual([member.id]);
  expect(await member.client.send(group.id, "let me back", { via: "rest" }).catch((err: unknown) => err)).toMatchObject({ status: 403, code: "CHAT_BANNED" });
  await owner.client.unban(group.id, member.id);
  expect(await owner.client.bans(group.id)).toEqual([]);
});
