/**
 * Changes naming a message the room accepted and D1 does not hold yet (DESIGN §6). Subscribers
 * already have it, so an edit, delete, reaction or pin must work while D1 trails the room (or is
 * down): each is decided here on the room's copy with the feature's own checks, refusals and
 * events, stored with its events in one transaction (WriteAhead.changeWaiting), and the message's
 * flush stores it as changed. Rights are read from the directory as for any change.
 *
 * Each answers WAITING_NOT_FOUND when the message is not waiting (the usual case, found without a
 * query): the change then runs against D1 (src/room/changes.ts). A message the flush in flight is
 * writing is waited for first.
 */
import type { InlineEmote } from "../db/history";
import type { Deps } from "../env";
import { screenBody } from "../features/moderation/blocklist";
import { fileBlocklistReport } from "../features/moderation/reports";
import { APP_MODERATOR, isAdminRole, loadAsAppModerator, loadChannel, requireMember, requirePoster } from "../features/channels/access";
import { appendAudit } from "../features/moderation/audit";
import { keptInOrder, mentionableMembers } from "../features/mentions/mentions.queries";
import { checkMessageContent } from "../features/messages/content";
import { notDeletable, notYourMessage } from "../features/messages/messages.service";
import { MAX_PINS, tooManyPins } from "../features/pins/pins.service";
import { MAX_DISTINCT_EMOTES, reactionExists, reactionNotFound, tooManyEmotes } from "../features/reactions/reactions.service";
import { type ReactionSummary, deletedBy, getMessage, listPinned, reactionsFor } from "../history";
import type { HistoryDb } from "../env";
import { messageJson } from "../features/messages/messages.schemas";
import { withSenders } from "../features/messages/senders";
import { messageNotFound } from "../platform/errors";
import { seconds } from "../platform/schemas";
import type { FlushOp, Flusher } from "./flush";
import type { ChangeDecided } from "./write-ahead";

export const WAITING_NOT_FOUND = Symbol("not waiting for a flush");
type Waiting<V> = Promise<V | typeof WAITING_NOT_FOUND>;
type MessageJson = ReturnType<typeof messageJson>;

/** How many users a reaction lists (as reactionsFor shows them). */
const USER_IDS_SHOWN = 100;

/**
 * Runs `decide` on the waiting message: `check` first (the directory reads), then the decision in
 * one synchronous step. Not waiting (or flushed while the checks ran): WAITING_NOT_FOUND.
 */
async function onWaiting<V, C>(deps: Deps, channelId: string, messageId: string, check: () => Promise<C>, decide: (op: FlushOp, checked: C) => ChangeDecided<V>): Waiting<V> {
  const wal = deps.writeAhead;
  if (!wal?.pending(messageId)) return WAITING_NOT_FOUND;
  await wal.flushIdle(); // a flush writing it now: then it is in D1 (or, failed, still waiting)
  if (!wal.pending(messageId)) return WAITING_NOT_FOUND;
  const checked = await check();
  const decided = wal.changeWaiting(channelId, messageId, (op) => decide(op, checked));
  return decided ? decided.value : WAITING_NOT_FOUND;
}

/** The waiting message's row, unless deleted (404 as for a stored one). */
function live(op: FlushOp) {
  if (op.row.deletedAt != null) throw messageNotFound();
  return op.row;
}

/** The message as the API shows it now: its event's data with what changed since. */
export function waitingJson(op: FlushOp, thread?: { count: number; last: number | null }): MessageJson {
  const r = op.row;
  const deleted = r.deletedAt != null;
  return {
    ...(op.message as MessageJson),
    ...(thread && { reply_count: thread.count, last_reply_at: thread.last === null ? null : seconds(thread.last) }),
    body: deleted ? "" : r.body,
    attachments: deleted ? [] : r.attachments,
    inline_emotes: deleted ? [] : r.inlineEmotes,
    edited_at: r.editedAt == null ? null : seconds(r.editedAt),
    deleted,
    deleted_by: deleted ? (r.deletedBy ?? "author") : null,
    reactions: deleted ? [] : summarize(op),
    mentioned_user_ids: deleted ? [] : (r.mentionedUserIds ?? []),
    pinned_at: r.pinnedAt == null ? null : seconds(r.pinnedAt),
    pinned_by: r.pinnedBy ?? null,
  };
}

/** A thread's root as D1 or the room holds it, with its stored replies (read before a decision). */
export interface ThreadRoot {
  json: MessageJson;
  id: string;
  storedReplies: number;
  storedLast: number | null;
}

export async function threadRoot(deps: Deps, shard: HistoryDb, channelId: string, rootId: string): Promise<ThreadRoot> {
  const waiting = deps.writeAhead?.pending(rootId);
  // A root D1 does not hold yet has no reply there either (flushes go in order).
  if (waiting) return { json: waitingJson(waiting.op), id: rootId, storedReplies: 0, storedLast: null }; // counts: withThread
  const row = await getMessage(shard, channelId, rootId);
  if (!row) throw messageNotFound();
  const reactions = await reactionsFor(shard, [rootId]);
  return { json: messageJson((await withSenders(deps.db, [row]))[0]!, reactions.get(rootId)), id: rootId, storedReplies: row.replyCount, storedLast: row.lastReplyAt };
}

/**
 * The root as it is with the room's waiting replies counted (synchronously, at the decision): one
 * more (`now`, a reply being accepted) or one fewer (`gone`, a waiting reply being deleted).
 */
export function withThread(root: ThreadRoot, flusher: Flusher, change: { now: number } | { gone: string }): MessageJson {
  const waiting = flusher.waitingThread(root.id, "gone" in change ? change.gone : undefined);
  const count = root.storedReplies + waiting.count + ("now" in change ? 1 : 0);
  const last = Math.max(root.storedLast ?? 0, waiting.last ?? 0, "now" in change ? change.now : 0);
  return { ...root.json, reply_count: count, last_reply_at: count && last ? seconds(last) : null };
}

/** Reactions per emote in order of first use (the list is in time order), as reactionsFor gives them. */
function summarize(op: FlushOp): ReactionSummary[] {
  const byEmote = new Map<string, ReactionSummary>();
  for (const r of op.reactions ?? []) {
    const s = byEmote.get(r.emote) ?? { emote_asset_id: r.emote, count: 0, user_ids: [] };
    s.count++;
    if (s.user_ids.length < USER_IDS_SHOWN) s.user_ids.push(r.userId);
    byEmote.set(r.emote, s);
  }
  return [...byEmote.values()];
}

/** The op and its event; a waiting root counts its waiting replies (D1 holds none of them yet). */
const updated = (op: FlushOp, flusher: Flusher, type: "message_update" | "message_delete" = "message_update") => ({
  op,
  events: [{ type, data: waitingJson(op, op.row.parentId ? undefined : flusher.waitingThread(op.row.id)) }] as ChangeDecided<unknown>["events"],
});

export function editWaiting(deps: Deps, me: string, channelId: string, messageId: string, body: string, inlineEmotes: InlineEmote[], mentionedUserIds?: string[]): Waiting<MessageJson> {
  const check = async () => {
    const access = await loadChannel(deps.db, channelId, me);
    await requirePoster(deps.db, access, me);
    // The blocklist applies to edits as to sends (DESIGN §15): blocked → 422, masked → stored masked.
    screened = await screenBody(deps.db, body);
    return mentionedUserIds && keptInOrder(mentionedUserIds, await mentionableMembers(deps.db, channelId, me, mentionedUserIds));
  };
  let screened = { body, flagged: false };
  const done = onWaiting(deps, channelId, messageId, check, (op, mentioned) => {
    const row = live(op);
    if (row.senderId !== me) throw notYourMessage();
    checkMessageContent(body, inlineEmotes, row.attachments.length);
    body = screened.body;
    const next: FlushOp = {
      ...op,
      row: { ...row, body, inlineEmotes, editedAt: Date.now(), mentionedUserIds: mentioned ?? row.mentionedUserIds },
      mentioned: mentioned ?? op.mentioned,
    };
    const edited = updated(next, deps.writeAhead!.flusher);
    return { ...edited, value: edited.events[0]!.data as MessageJson };
  });
  return done.then(async (value) => {
    if (value !== WAITING_NOT_FOUND && screened.flagged) await fileBlocklistReport(deps, value);
    return value;
  });
}

/** A delete before the flush: the flush stores the tombstone, skips its position in unread counts, and its uploads go. */
export async function deleteWaiting(deps: Deps, me: string, channelId: string, messageId: string): Waiting<undefined> {
  const author = deps.writeAhead?.pending(messageId)?.op.row.senderId;
  const done = await deleteWaitingRow(deps, me, channelId, messageId);
  // A moderator's delete of someone else's message is a moderation action (DESIGN §15): audited once it is decided.
  if (done !== WAITING_NOT_FOUND && author && author !== me) {
    await appendAudit(deps.db, { actor: me, action: "message_delete", targetUserId: author, channelId, messageId });
  }
  return done;
}

function deleteWaitingRow(deps: Deps, me: string, channelId: string, messageId: string): Waiting<undefined> {
  const check = async () => {
    const app = me === APP_MODERATOR;
    const access = app ? await loadAsAppModerator(deps.db, channelId) : await loadChannel(deps.db, channelId, me);
    const moderator = app || isAdminRole(requireMember(access).role);
    // A reply leaves its thread: its root's count goes down (the root read before the decision).
    const rootId = deps.writeAhead?.pending(messageId)?.op.row.parentId;
    return { moderator, root: rootId ? await threadRoot(deps, deps.history(access.channel.shard), channelId, rootId) : undefined };
  };
  return onWaiting(deps, channelId, messageId, check, (op, { moderator, root }) => {
    const row = live(op);
    if (row.senderId !== me && !moderator) throw notDeletable();
    const next: FlushOp = {
      ...op,
      row: { ...row, body: "", inlineEmotes: [], attachments: [], deletedAt: Date.now(), deletedBy: deletedBy(row.senderId, me), pinnedAt: null, pinnedBy: null },
      mentioned: [],
      reactions: [],
      removedAssets: row.attachments.map((a) => a.asset_id),
    };
    const deleted = updated(next, deps.writeAhead!.flusher, "message_delete");
    if (root) deleted.events.push({ type: "message_update", data: withThread(root, deps.writeAhead!.flusher, { gone: messageId }) });
    return { ...deleted, value: undefined };
  });
}

export function reactWaiting(deps: Deps, me: string, channelId: string, messageId: string, emote: string, add: boolean): Waiting<undefined> {
  const check = async () => void (await requirePoster(deps.db, await loadChannel(deps.db, channelId, me), me));
  return onWaiting(deps, channelId, messageId, check, (op) => {
    live(op);
    const list = op.reactions ?? [];
    const mine = list.some((r) => r.emote === emote && r.userId === me);
    const data = { message_id: messageId, emote_asset_id: emote, user_id: me };
    if (!add) {
      if (!mine) throw reactionNotFound();
      const next = { ...op, reactions: list.filter((r) => !(r.emote === emote && r.userId === me)) };
      return { op: next, events: [{ type: "reaction_remove", data }], value: undefined };
    }
    if (mine) throw reactionExists();
    const emotes = new Set(list.map((r) => r.emote));
    if (!emotes.has(emote) && emotes.size >= MAX_DISTINCT_EMOTES) throw tooManyEmotes();
    const next = { ...op, reactions: [...list, { messageId, emote, userId: me, at: Date.now() }] };
    return { op: next, events: [{ type: "reaction_add", data }], value: undefined };
  });
}

/**
 * A pin or unpin before the flush. The cap counts the channel's pins in D1 and the waiting ones
 * (a pin of a stored message decided at the same moment can pass it by one: noted in the README).
 */
export function pinWaiting(deps: Deps, me: string, channelId: string, messageId: string, pinned: boolean): Waiting<undefined> {
  const check = async () => {
    const access = await loadChannel(deps.db, channelId, me);
    await requirePoster(deps.db, access, me);
    return pinned ? (await listPinned(deps.history(access.channel.shard), channelId, MAX_PINS)).length : 0;
  };
  return onWaiting(deps, channelId, messageId, check, (op, stored) => {
    const row = live(op);
    const unchanged = { op, events: [], value: undefined };
    if (!pinned) return row.pinnedAt == null ? unchanged : { ...updated({ ...op, row: { ...row, pinnedAt: null, pinnedBy: null } }, deps.writeAhead!.flusher), value: undefined };
    if (row.pinnedAt != null) return unchanged;
    if (stored + deps.writeAhead!.flusher.pinnedWaiting() >= MAX_PINS) throw tooManyPins();
    return { ...updated({ ...op, row: { ...row, pinnedAt: Date.now(), pinnedBy: me } }, deps.writeAhead!.flusher), value: undefined };
  });
}
