// The client's state (Preact signals) and everything that changes it: REST through the SDK, live
// events from the user socket (channel list, unread and mention counts) and from the open channel's
// socket (messages, threads, reactions, typing, receipts, presence). Components read signals and
// call these functions.
import { batch, computed, signal } from "@preact/signals";
import { disableNotifications } from "./push/push";
import type { Channel, ChatClient, Me, Message, SocketStatus } from "../sdk/index";
import { randomId } from "../sdk/index";
import { clientFor, type Session, saveSession } from "./session";
import { loadStanding, refusedSend, removal, removedFrom } from "./moderation";

export const client = signal<ChatClient | null>(null);
export const me = signal<Me | null>(null);
export const channels = signal<Channel[]>([]);
export const activeId = signal<string | null>(null);
/** The open channel's messages, oldest first (top-level only; threads will hang off `reply_count`). */
export const messages = signal<Message[]>([]);
export const hasMore = signal(false);
export const loadingOlder = signal(false);
/** Sends not yet confirmed: shown greyed, retried with the same Idempotency-Key. */
export const pending = signal<{ key: string; channelId: string; body: string; failed: boolean }[]>([]);
/** user id → display name and expiry (ms), for the open channel. */
export const typing = signal<Map<string, { name: string; until: number }>>(new Map());
export const statuses = signal<Map<string, SocketStatus>>(new Map());
export const view = signal<"chat" | "rooms" | "search">("chat");
/** The open thread: its root and replies, oldest first. */
export const thread = signal<{ root: Message; replies: Message[]; loading: boolean } | null>(null);
/** The open channel's members (for @-mentions and names). */
export const members = signal<{ user_id: string; display_name: string }[]>([]);
/** Who is online in the open DM or group (from the channel socket; none in rooms). */
export const online = signal<Set<string> | null>(null);
/** In a DM: the other member's read cursor ("Seen"). */
export const otherRead = signal<string | null>(null);
export const pins = signal<Message[] | null>(null);
export const search = signal<{ q: string; results: Message[] | null; error?: string } | null>(null);
export const error = signal<string | null>(null);

export const activeChannel = computed(() => channels.value.find((c) => c.id === activeId.value) ?? null);
/** "reconnecting" while any channel socket is down: the banner tells people why nothing moves. */
export const connection = computed(() => ([...statuses.value.values()].some((s) => s === "reconnecting") ? "reconnecting" : "online"));

export const channelName = (c: Pick<Channel, "type" | "name" | "other_user_name" | "other_user_id">) =>
  c.type === "dm" ? c.other_user_name || c.other_user_id || "Direct message" : c.name;

let stopListening: (() => void) | null = null;

export async function start(session: Session): Promise<void> {
  const c = clientFor(session);
  const who = await c.me();
  batch(() => {
    client.value = c;
    me.value = who;
  });
  listen(c);
  listenUser(c);
  await refreshChannels();
  const onOnline = () => void refreshChannels().catch(() => {});
  addEventListener("online", onOnline);
  stopListening = () => removeEventListener("online", onOnline);
  const fromHash = /^#\/c\/(\d+)$/.exec(location.hash)?.[1];
  const first = channels.value.find((ch) => ch.id === fromHash) ?? channels.value[0];
  if (first) await openChannel(first.id);
}

export function signOut(): void {
  stopListening?.();
  // This browser's push subscription goes with the session (best effort, not awaited).
  if (client.value) void disableNotifications(client.value);
  client.value?.close();
  saveSession(null);
  batch(() => {
    client.value = null;
    me.value = null;
    channels.value = [];
    activeId.value = null;
    messages.value = [];
    statuses.value = new Map();
    removal.value = null;
  });
}

/** Reloads the channel list (unread and mention counts); the user socket keeps it live after that. */
export async function refreshChannels(): Promise<void> {
  const c = client.value;
  if (!c) return;
  channels.value = await c.channels();
}

const patchChannel = (id: string, fn: (ch: Channel) => Channel) => (channels.value = channels.value.map((ch) => (ch.id === id ? fn(ch) : ch)));

/** The user socket: one connection for the whole channel list (no socket per channel, no polling). */
function listenUser(c: ChatClient) {
  const user = c.connectUser();
  user.on("notify", (n) => {
    const ch = channels.value.find((x) => x.id === n.channel_id);
    if (!ch) return refreshSoon(); // a channel we have not heard of yet
    if (n.sender_id === me.value?.id) return;
    const looking = n.channel_id === activeId.value && view.value === "chat" && document.visibilityState === "visible";
    if (looking) return; // the channel socket shows it and moves the read cursor
    patchChannel(n.channel_id, (x) => ({
      ...x,
      // Replies never count as unread (they take no position); mentions in replies do count.
      unread_count: (x.unread_count ?? 0) + (n.parent_id ? 0 : 1),
      mention_count: (x.mention_count ?? 0) + (n.mentions_me ? 1 : 0),
    }));
  });
  user.on("channel_add", (ch) => {
    // A new channel starts with nothing unread; the notify frames that follow (same seq order) count.
    if (!channels.value.some((x) => x.id === ch.id)) channels.value = [{ ...ch, unread_count: ch.unread_count ?? 0, mention_count: ch.mention_count ?? 0 }, ...channels.value];
  });
  user.on("channel_update", (ch) => patchChannel(ch.id, (x) => ({ ...x, ...ch, unread_count: x.unread_count, mention_count: x.mention_count })));
  user.on("channel_remove", ({ channel_id }) => {
    const gone = channels.value.find((x) => x.id === channel_id);
    if (gone) removedFrom(channel_id, gone.name, null); // not silently: say why the channel went
    channels.value = channels.value.filter((x) => x.id !== channel_id);
    if (activeId.value === channel_id) activeId.value = null;
  });
  // Frames lost beyond replay (or away > 2 min): the counts on screen may be stale.
  user.on("resync", () => void refreshChannels().catch(() => {}));
  user.on("status", (status) => setStatus("user", status));
}

function setStatus(key: string, status: SocketStatus) {
  const next = new Map(statuses.value);
  if (status === "closed") next.delete(key);
  else next.set(key, status);
  statuses.value = next;
}

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
const refreshSoon = () => {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => void refreshChannels().catch(() => {}), 150);
};

function listen(c: ChatClient) {
  c.on("message", ({ channelId, data }) => {
    lastMessageAt.set(data.sender_id, Date.now());
    if (channelId !== activeId.value) return;
    typingStopped(data.sender_id);
    if (data.parent_id) return upsertReply(data);
    upsert(data);
    confirmPending(channelId, data);
    markReadSoon();
  });
  c.on("message_update", ({ channelId, data }) => {
    if (channelId !== activeId.value) return;
    if (data.parent_id) upsertReply(data);
    else upsert(data);
    updatePinned(data);
  });
  c.on("message_delete", ({ channelId, data }) => {
    if (channelId !== activeId.value) return;
    if (data.parent_id) upsertReply(data);
    else upsert(data);
    updatePinned(data);
  });
  c.on("presence_state", ({ channelId, onlineUserIds }) => channelId === activeId.value && (online.value = new Set(onlineUserIds)));
  c.on("presence", ({ channelId, userId, online: on }) => {
    if (channelId !== activeId.value || !online.value) return;
    const next = new Set(online.value);
    if (on) next.add(userId);
    else next.delete(userId);
    online.value = next;
  });
  c.on("read", ({ channelId, data }) => {
    if (channelId !== activeId.value || data.user_id === me.value?.id) return;
    if (!otherRead.value || data.last_read_message_id > otherRead.value) otherRead.value = data.last_read_message_id;
  });
  const react = (add: boolean) => ({ channelId, data }: { channelId: string; data: { message_id: string; emote_asset_id: string; user_id: string } }) => {
    if (channelId !== activeId.value) return;
    const apply = (m: Message) => (m.id === data.message_id ? withReaction(m, data.emote_asset_id, data.user_id, add) : m);
    messages.value = messages.value.map(apply);
    const t = thread.value;
    if (t) thread.value = { ...t, root: apply(t.root), replies: t.replies.map(apply) };
  };
  c.on("reaction_add", react(true));
  c.on("reaction_remove", react(false));
  c.on("typing", ({ channelId, data }) => channelId === activeId.value && data.user_id !== me.value?.id && void typingStarted(channelId, data.user_id));
  c.on("channel_update", refreshSoon);
  c.on("member_add", refreshSoon);
  // Your own role changed (made admin, say): the list's `role` decides what the client offers you.
  c.on("member_update", ({ data }) => data.user_id === me.value?.id && refreshSoon());
  c.on("member_remove", ({ channelId, data }) => {
    if (data.user_id === me.value?.id) removedFrom(channelId, channels.value.find((x) => x.id === channelId)?.name, data.reason === "banned");
  });
  c.on("closed", ({ channelId }) => {
    if (channelId === activeId.value) activeId.value = null;
    refreshSoon();
  });
  // Replay could not cover the gap: the history on screen may miss messages, so reload it.
  c.on("resync", ({ channelId }) => {
    if (channelId === activeId.value) void loadLatest(channelId);
    refreshSoon();
  });
  c.on("status", ({ channelId, status }) => setStatus(channelId, status));
}

const byId = (a: Message, b: Message) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A reply (or its update) into the open thread; the root's own update carries reply_count. */
function upsertReply(m: Message) {
  const t = thread.value;
  if (!t || m.parent_id !== t.root.id) return;
  const replies = new Map(t.replies.map((r) => [r.id, r]));
  replies.set(m.id, m);
  thread.value = { ...t, replies: [...replies.values()].sort(byId) };
}

function updatePinned(m: Message) {
  if (!pins.value) return;
  const rest = pins.value.filter((p) => p.id !== m.id);
  pins.value = m.pinned_at && !m.deleted ? [m, ...rest].sort((a, b) => (b.pinned_at ?? 0) - (a.pinned_at ?? 0)) : rest;
}

function withReaction(m: Message, emote: string, userId: string, add: boolean): Message {
  const reactions = m.reactions.map((r) => ({ ...r, user_ids: [...r.user_ids] }));
  let r = reactions.find((x) => x.emote_asset_id === emote);
  if (add) {
    if (r?.user_ids.includes(userId)) return m;
    if (!r) reactions.push((r = { emote_asset_id: emote, count: 0, user_ids: [] }));
    r.count++;
    r.user_ids.push(userId);
  } else if (r && r.user_ids.includes(userId)) {
    r.count--;
    r.user_ids = r.user_ids.filter((u) => u !== userId);
  }
  return { ...m, reactions: reactions.filter((x) => x.count > 0) };
}

/** Inserts or replaces by id, keeping id (= time) order; ids are 19-digit strings, so text order works. */
function upsert(...incoming: Message[]) {
  const byId = new Map(messages.value.map((m) => [m.id, m]));
  for (const m of incoming) if (!m.parent_id) byId.set(m.id, m);
  messages.value = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const t = thread.value;
  if (t) {
    const root = incoming.find((m) => m.id === t.root.id);
    if (root) thread.value = { ...t, root };
  }
}

/** Opens a channel: its socket (only the open channel has one), history, members, receipts. */
export async function openChannel(channelId: string, opts: { around?: string } = {}): Promise<void> {
  const c = client.value;
  const previous = activeId.value;
  batch(() => {
    activeId.value = channelId;
    view.value = "chat";
    if (previous !== channelId) {
      messages.value = [];
      hasMore.value = false;
      typing.value = new Map();
      thread.value = null;
      members.value = [];
      online.value = null;
      otherRead.value = null;
      pins.value = null;
    }
  });
  history.replaceState(null, "", `#/c/${channelId}`);
  if (!c) return;
  if (previous && previous !== channelId) c.unsubscribe(previous);
  c.subscribe(channelId);
  void c.members(channelId, { limit: 1000 }).then((list) => activeId.value === channelId && (members.value = list), () => {});
  const ch = channels.value.find((x) => x.id === channelId);
  if (ch?.type !== "dm") void loadStanding(c, channelId); // muted here? (DMs have no mutes)
  if (ch?.type === "dm") {
    void c.reads(channelId).then(({ reads }) => {
      if (activeId.value !== channelId) return;
      otherRead.value = reads.find((r) => r.user_id !== me.value?.id)?.last_read_message_id ?? null;
    }, () => {});
  }
  await loadLatest(channelId);
}

/** Opens a thread pane: the root and its replies (the newest 100). */
export async function openThread(root: Message): Promise<void> {
  thread.value = { root, replies: [], loading: true };
  const page = await client.value!.replies(root.channel_id, root.id, { limit: 100 });
  if (thread.value?.root.id !== root.id) return;
  const known = new Map(thread.value.replies.map((r) => [r.id, r]));
  for (const r of page.messages) if (!known.has(r.id)) known.set(r.id, r);
  thread.value = { ...thread.value, replies: [...known.values()].sort(byId), loading: false };
}

export async function togglePins(): Promise<void> {
  const channelId = activeId.value;
  if (pins.value !== null || !channelId) return void (pins.value = null);
  pins.value = [];
  const list = await client.value!.pins(channelId).catch((err: Error) => ((error.value = err.message), []));
  if (activeId.value === channelId) pins.value = list;
}

export async function runSearch(q: string): Promise<void> {
  if (!q.trim()) return;
  batch(() => {
    search.value = { q, results: null };
    view.value = "search";
  });
  try {
    const { messages: results } = await client.value!.search(q);
    if (search.value?.q === q) search.value = { q, results };
  } catch (err) {
    if (search.value?.q === q) search.value = { q, results: [], error: (err as Error).message };
  }
}

async function loadLatest(channelId: string) {
  const page = await client.value!.history(channelId, { limit: 50 });
  if (activeId.value !== channelId) return;
  batch(() => {
    upsert(...page.messages);
    hasMore.value = page.has_more;
  });
  markReadSoon();
}

/** Infinite scroll: the page before the oldest message on screen. */
export async function loadOlder(): Promise<void> {
  const channelId = activeId.value;
  const oldest = messages.value[0];
  if (!channelId || !oldest || loadingOlder.value || !hasMore.value) return;
  loadingOlder.value = true;
  try {
    const page = await client.value!.history(channelId, { before: oldest.id, limit: 50 });
    if (activeId.value !== channelId) return;
    batch(() => {
      upsert(...page.messages);
      hasMore.value = page.has_more;
    });
  } finally {
    loadingOlder.value = false;
  }
}

let readTimer: ReturnType<typeof setTimeout> | undefined;
/** Moves the read cursor to the newest message on screen (debounced; only while the tab is visible). */
function markReadSoon() {
  clearTimeout(readTimer);
  readTimer = setTimeout(async () => {
    const channelId = activeId.value;
    const last = messages.value.at(-1);
    const ch = channels.value.find((x) => x.id === channelId);
    if (!channelId || !last || document.visibilityState === "hidden") return;
    if (ch && ch.last_read_message_id === last.id && ch.unread_count === 0 && !ch.mention_count) return;
    await client.value?.markRead(channelId, last.id).catch(() => {});
    patchChannel(channelId, (x) => ({ ...x, unread_count: 0, mention_count: 0, last_read_message_id: last.id }));
  }, 200);
}
document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && markReadSoon());

/** The members named as "@Display Name" in a body (longest names first, so "@Al" ≠ "@Alice"). */
export function mentionedIn(body: string): string[] {
  const ids: string[] = [];
  for (const m of [...members.value].sort((a, b) => b.display_name.length - a.display_name.length)) {
    if (m.user_id !== me.value?.id && body.includes(`@${m.display_name}`)) ids.push(m.user_id);
  }
  return ids;
}

/**
 * Our own message came back on the socket before its send's answer: its "sending" copy goes now,
 * so it is never shown twice. (The event does not carry the key; the oldest pending copy with the
 * same text is the one: identical texts are interchangeable.)
 */
function confirmPending(channelId: string, data: { sender_id: string; body: string }) {
  if (data.sender_id !== me.value?.id) return;
  const i = pending.value.findIndex((p) => p.channelId === channelId && p.body === data.body && !p.failed);
  if (i >= 0) pending.value = pending.value.filter((_, j) => j !== i);
}

/**
 * Sends with one Idempotency-Key per message (the socket's client_msg_id): over the channel socket
 * when open, else REST; retries (automatic, or the Retry button) store it once.
 */
export async function send(body: string, attachments: { asset_id: string }[] = [], key = randomId(), parentId?: string): Promise<void> {
  const channelId = activeId.value;
  const c = client.value;
  if (!channelId || !c) return;
  const mentioned = mentionedIn(body);
  if (parentId) return sendReply(c, channelId, parentId, body, mentioned);
  pending.value = [...pending.value.filter((p) => p.key !== key), { key, channelId, body, failed: false }];
  lastTyping = 0; // the next keystroke is a new bout of typing
  try {
    const message = await c.send(channelId, { body, attachments, ...(mentioned.length ? { mentioned_user_ids: mentioned } : {}) }, { idempotencyKey: key });
    if (activeId.value === channelId) upsert(message);
    pending.value = pending.value.filter((p) => p.key !== key);
  } catch (err) {
    pending.value = pending.value.map((p) => (p.key === key ? { ...p, failed: true } : p));
    // A mute or slow mode: the composer says so in its place (web/moderation.ts), not the banner.
    if (!refusedSend(channelId, err)) error.value = `Not sent: ${(err as Error).message}`;
  }
}

async function sendReply(c: ChatClient, channelId: string, rootId: string, body: string, mentioned: string[]) {
  try {
    const reply = await c.reply(channelId, rootId, { body, ...(mentioned.length ? { mentioned_user_ids: mentioned } : {}) });
    if (activeId.value === channelId) upsertReply(reply);
  } catch (err) {
    if (!refusedSend(channelId, err)) error.value = `Reply not sent: ${(err as Error).message}`;
  }
}

/** When each user's last message arrived: a typing frame can trail it (socket vs REST), so it is ignored for 1.5 s. */
const lastMessageAt = new Map<string, number>();

async function typingStarted(channelId: string, userId: string) {
  if (Date.now() - (lastMessageAt.get(userId) ?? 0) < 1500) return;
  let name = typing.value.get(userId)?.name ?? nameOf(userId);
  if (!name) {
    const who = await client.value?.typingUsers(channelId).catch(() => null);
    name = who?.users.find((u) => u.user_id === userId)?.display_name ?? userId;
  }
  const next = new Map(typing.value);
  next.set(userId, { name, until: Date.now() + 8000 });
  typing.value = next;
  setTimeout(() => {
    const entry = typing.value.get(userId);
    if (entry && entry.until <= Date.now()) typingStopped(userId);
  }, 8100);
}

function typingStopped(userId: string) {
  if (!typing.value.has(userId)) return;
  const next = new Map(typing.value);
  next.delete(userId);
  typing.value = next;
}

function nameOf(userId: string): string | undefined {
  const ch = activeChannel.value;
  if (ch?.other_user_id === userId) return ch.other_user_name;
  return members.value.find((m) => m.user_id === userId)?.display_name ?? messages.value.findLast((m) => m.sender_id === userId)?.sender_name;
}

let lastTyping = 0;
/** Tells the channel we are typing, at most every 3 s (the server sends one event per 3 s anyway). */
export function typed(): void {
  const channelId = activeId.value;
  if (!channelId || Date.now() - lastTyping < 3000) return;
  lastTyping = Date.now();
  void client.value?.typing(channelId).catch(() => {});
}
