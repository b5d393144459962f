// The client's state (Preact signals) and everything that changes it: REST through the SDK, live
// events from the channel sockets. Components read signals and call these functions.
import { batch, computed, signal } from "@preact/signals";
import type { Channel, ChatClient, Me, Message, SocketStatus } from "../sdk";
import { randomId } from "../sdk";
import { clientFor, type Session, saveSession } from "./session";

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
export const view = signal<"chat" | "rooms">("chat");
export const error = signal<string | null>(null);

export const activeChannel = computed(() => channels.value.find((c) => c.id === activeId.value) ?? null);
/** "reconnecting" while any channel socket is down: the banner tells people why nothing moves. */
export const connection = computed(() => ([...statuses.value.values()].some((s) => s === "reconnecting") ? "reconnecting" : "online"));

export const channelName = (c: Pick<Channel, "type" | "name" | "other_user_name" | "other_user_id">) =>
  c.type === "dm" ? c.other_user_name || c.other_user_id || "Direct message" : c.name;

const POLL_MS = 5000; // until the user socket (channel_add/remove) lands: new channels appear by polling

let stopPolling: (() => void) | null = null;

export async function start(session: Session): Promise<void> {
  const c = clientFor(session);
  const who = await c.me();
  batch(() => {
    client.value = c;
    me.value = who;
  });
  listen(c);
  await refreshChannels();
  const timer = setInterval(() => void refreshChannels().catch(() => {}), POLL_MS);
  const onOnline = () => void refreshChannels().catch(() => {});
  addEventListener("online", onOnline);
  stopPolling = () => (clearInterval(timer), removeEventListener("online", onOnline));
  const fromHash = /^#\/c\/(\d+)$/.exec(location.hash)?.[1];
  const first = channels.value.find((ch) => ch.id === fromHash) ?? channels.value[0];
  if (first) await openChannel(first.id);
}

export function signOut(): void {
  stopPolling?.();
  client.value?.close();
  saveSession(null);
  batch(() => {
    client.value = null;
    me.value = null;
    channels.value = [];
    activeId.value = null;
    messages.value = [];
    statuses.value = new Map();
  });
}

/** Reloads the channel list (unread counts) and keeps one socket per channel. */
export async function refreshChannels(): Promise<void> {
  const c = client.value;
  if (!c) return;
  const list = await c.channels();
  channels.value = list;
  for (const ch of list) c.subscribe(ch.id);
}

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
const refreshSoon = () => {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => void refreshChannels().catch(() => {}), 150);
};

function listen(c: ChatClient) {
  c.on("message", ({ channelId, data }) => {
    lastMessageAt.set(data.sender_id, Date.now());
    if (channelId === activeId.value && !data.parent_id) {
      upsert(data);
      typingStopped(data.sender_id);
      markReadSoon();
    }
    refreshSoon();
  });
  c.on("message_update", ({ channelId, data }) => channelId === activeId.value && upsert(data));
  c.on("message_delete", ({ channelId, data }) => {
    if (channelId === activeId.value) upsert(data);
    refreshSoon();
  });
  const react = (add: boolean) => ({ channelId, data }: { channelId: string; data: { message_id: string; emote_asset_id: string; user_id: string } }) => {
    if (channelId !== activeId.value) return;
    messages.value = messages.value.map((m) => (m.id === data.message_id ? withReaction(m, data.emote_asset_id, data.user_id, add) : m));
  };
  c.on("reaction_add", react(true));
  c.on("reaction_remove", react(false));
  c.on("typing", ({ channelId, data }) => channelId === activeId.value && data.user_id !== me.value?.id && void typingStarted(channelId, data.user_id));
  c.on("channel_update", refreshSoon);
  c.on("member_add", refreshSoon);
  c.on("closed", ({ channelId }) => {
    if (channelId === activeId.value) activeId.value = null;
    refreshSoon();
  });
  // Replay could not cover the gap: the history on screen may miss messages, so reload it.
  c.on("resync", ({ channelId }) => {
    if (channelId === activeId.value) void loadLatest(channelId);
    refreshSoon();
  });
  c.on("status", ({ channelId, status }) => {
    const next = new Map(statuses.value);
    if (status === "closed") next.delete(channelId);
    else next.set(channelId, status);
    statuses.value = next;
  });
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
}

export async function openChannel(channelId: string): Promise<void> {
  batch(() => {
    activeId.value = channelId;
    view.value = "chat";
    messages.value = [];
    hasMore.value = false;
    typing.value = new Map();
  });
  history.replaceState(null, "", `#/c/${channelId}`);
  client.value?.subscribe(channelId);
  await loadLatest(channelId);
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
    if (ch && ch.last_read_message_id === last.id && ch.unread_count === 0) return;
    await client.value?.markRead(channelId, last.id).catch(() => {});
    channels.value = channels.value.map((x) => (x.id === channelId ? { ...x, unread_count: 0, last_read_message_id: last.id } : x));
  }, 200);
}
document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && markReadSoon());

/** Sends with one Idempotency-Key per message: retries (automatic, or the Retry button) store it once. */
export async function send(body: string, attachments: { asset_id: string }[] = [], key = randomId()): Promise<void> {
  const channelId = activeId.value;
  const c = client.value;
  if (!channelId || !c) return;
  pending.value = [...pending.value.filter((p) => p.key !== key), { key, channelId, body, failed: false }];
  lastTyping = 0; // the next keystroke is a new bout of typing
  try {
    const message = await c.send(channelId, { body, attachments }, { idempotencyKey: key });
    if (activeId.value === channelId) upsert(message);
    pending.value = pending.value.filter((p) => p.key !== key);
  } catch (err) {
    pending.value = pending.value.map((p) => (p.key === key ? { ...p, failed: true } : p));
    error.value = `Not sent: ${(err as Error).message}`;
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
  return messages.value.findLast((m) => m.sender_id === userId)?.sender_name;
}

let lastTyping = 0;
/** Tells the channel we are typing, at most every 3 s (the server sends one event per 3 s anyway). */
export function typed(): void {
  const channelId = activeId.value;
  if (!channelId || Date.now() - lastTyping < 3000) return;
  lastTyping = Date.now();
  void client.value?.typing(channelId).catch(() => {});
}
