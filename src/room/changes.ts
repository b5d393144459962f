/**
 * Every change of a channel other than a send, decided in the channel's room (DESIGN §6): the
 * Worker authenticates and validates, then calls `inRoom`; the room runs the feature's own function
 * with its D1 (primary first, the caller's bookmarks honoured) in the order ChangeOrder gives it:
 * rights changes alone, changes naming a message after every earlier change naming it (its send
 * included). Each entry says which it is.
 */
import { attachmentUrl } from "../features/attachments/attachment-url";
import { setBlocked } from "../features/blocks/blocks.service";
import { deleteChannel, updateChannel } from "../features/channels/channels.service";
import { addMember, assignOwner, removeMember, setRole } from "../features/members/members.service";
import { eraseMember } from "../features/erasure/erase-member";
import { deleteMessage, editMessage } from "../features/messages/messages.service";
import { pin, unpin } from "../features/pins/pins.service";
import { removePreview } from "../features/previews/previews.service";
import { addReaction, removeReaction } from "../features/reactions/reactions.service";
import { markRead } from "../features/reads/reads.service";
import { reportMessage } from "../features/moderation/reports";
import { banUser, muteUser, unbanUser, unmuteUser } from "../features/moderation/moderation.service";
import type { Deps } from "../env";
import { type D1Stats, emptyStats } from "../platform/d1-metering";
import { ApiError, channelNotFound, messageNotFound } from "../platform/errors";
import { isId } from "../platform/ids";
import { RequestSessions } from "../platform/sessions";
import type { ChangeOrder } from "./change-order";
import { WAITING_NOT_FOUND, deleteWaiting, editWaiting, pinWaiting, reactWaiting } from "./pending-changes";
import { roomOf } from "../realtime/notify";
import { type ErrorData, type RoomContext, errorData, roomDeps } from "./send/room-send";

/** The ChangeOrder key of a message: its send, edits, reactions, pins and cursors run one at a time. */
export const messageKey = (messageId: string) => `m:${messageId}`;

type Run<A extends unknown[], R> = (deps: Deps, ...args: A) => Promise<R>;
interface Change<A extends unknown[], R> {
  /** "alone" for rights changes; otherwise the keys it waits on (from its arguments). */
  order: "alone" | ((...args: A) => string[]);
  run: Run<A, R>;
  /** False: waits for its keys' earlier changes, but later ones do not wait for it. */
  join?: boolean;
}
const change = <A extends unknown[], R>(order: Change<A, R>["order"], run: Run<A, R>, join = true): Change<A, R> => ({ order, run, join });
/**
 * Changes whose third argument names a message (after `me` and the channel id). A message the room
 * accepted and has not flushed yet is changed on the room's copy (`waiting`: pending-changes.ts),
 * so they work on a message subscribers already have even while D1 trails; without a `waiting`
 * form they run after its flush (at most one).
 */
const namingMessage = <A extends [string, string, string, ...unknown[]], R>(run: Run<A, R>, waiting?: (deps: Deps, ...args: A) => Promise<R | typeof WAITING_NOT_FOUND>) =>
  change<A, R>(
    (...args) => [messageKey(args[2])],
    async (deps, ...args) => {
      const early = waiting ? await waiting(deps, ...args) : WAITING_NOT_FOUND;
      if (early !== WAITING_NOT_FOUND) return early;
      await deps.writeAhead?.messageFlushed(args[2]);
      return run(deps, ...args);
    },
  );

/** A read cursor on a message the room has not flushed yet: its position from the room, D1 not waited for. */
async function markReadWaiting(deps: Deps, me: string, channelId: string, messageId: string) {
  const waiting = deps.writeAhead?.pending(messageId);
  if (!waiting) return WAITING_NOT_FOUND;
  const { position } = waiting.op.row;
  if (position === null) throw messageNotFound(); // a reply is not a read cursor
  return markRead(deps, me, channelId, messageId, { position, ownAfter: deps.writeAhead!.flusher.ownWaitingAfter(me, position) });
}

export const ROOM_CHANGES = {
  editMessage: namingMessage(editMessage, editWaiting),
  deleteMessage: namingMessage(deleteMessage, deleteWaiting),
  addReaction: namingMessage(addReaction, (deps, ...a) => reactWaiting(deps, ...a, true)),
  removeReaction: namingMessage(removeReaction, (deps, ...a) => reactWaiting(deps, ...a, false)),
  pin: namingMessage(pin, (deps, ...a) => pinWaiting(deps, ...a, true)),
  unpin: namingMessage(unpin, (deps, ...a) => pinWaiting(deps, ...a, false)),
  // A cursor on a stored message must not be overtaken by a flush that moves the sender's own cursor:
  // it waits for all of them. On a waiting message it is set at once.
  markRead: change(
    (_me: string, _channelId: string, messageId: string) => [messageKey(messageId)],
    async (deps: Deps, me: string, channelId: string, messageId: string) => {
      const early = await markReadWaiting(deps, me, channelId, messageId);
      if (early !== WAITING_NOT_FOUND) return early;
      await deps.writeAhead?.allFlushed();
      return markRead(deps, me, channelId, messageId);
    },
    false,
  ),
  attachmentUrl: namingMessage(attachmentUrl),
  removePreview: namingMessage(removePreview),
  addMember: change("alone", addMember),
  removeMember: change("alone", removeMember),
  setRole: change("alone", setRole),
  assignOwner: change("alone", assignOwner),
  updateChannel: change("alone", updateChannel),
  deleteChannel: change("alone", deleteChannel),
  setBlocked: change("alone", setBlocked),
  eraseMember: change("alone", eraseMember),
  // Moderation (DESIGN §15): rights changes like membership — a send is decided before or after them.
  banUser: change("alone", banUser),
  unbanUser: change("alone", unbanUser),
  muteUser: change("alone", muteUser),
  unmuteUser: change("alone", unmuteUser),
  // After the message's flush, so the report's snapshot is the message as D1 and subscribers have it.
  reportMessage: namingMessage(reportMessage),
};

export type RoomChangeName = keyof typeof ROOM_CHANGES;
type Entry<K extends RoomChangeName> = (typeof ROOM_CHANGES)[K];
export type RoomChangeArgs<K extends RoomChangeName> = Entry<K> extends Change<infer A, infer _R> ? A : never;
export type RoomChangeValue<K extends RoomChangeName> = Entry<K> extends Change<infer _A, infer R> ? R : never;

/** A change as it travels to the room (plain data: an RPC carries no class). */
export interface RoomChangeRequest<K extends RoomChangeName = RoomChangeName> {
  name: K;
  args: RoomChangeArgs<K>;
  channelId: string;
  requestId: string;
  /** The client's X-D1-Bookmark, by database. */
  bookmarks: Record<string, string>;
}
export type RoomChangeResult<V = unknown> = { d1: D1Stats; bookmarks: Record<string, string> } & ({ value: V } | { error: ErrorData });

/**
 * The Worker's side: runs the change in the channel's room and answers as if it ran here (the
 * value, or the ApiError; its D1 cost and bookmarks join the request's). A malformed channel id
 * never reaches a room (it would create one): it is the 404 the change would give.
 */
export async function inRoom<K extends RoomChangeName>(deps: Deps, channelId: string, name: K, ...args: RoomChangeArgs<K>): Promise<RoomChangeValue<K>> {
  if (!isId(channelId)) throw channelNotFound();
  const request: RoomChangeRequest<K> = { name, args, channelId, requestId: deps.requestId ?? crypto.randomUUID(), bookmarks: deps.remote?.sent ?? {} };
  const result = (await roomOf(deps.env, channelId).change(request as RoomChangeRequest)) as RoomChangeResult<RoomChangeValue<K>>;
  deps.remote?.absorb(result.d1, result.bookmarks);
  if ("error" in result) throw new ApiError(result.error.code, result.error.message, result.error.details, result.error.headers);
  return result.value;
}

/** The room's side: never throws (an unexpected failure becomes INTERNAL, logged). `afterAlone` runs after each rights change. */
export async function runChange(room: RoomContext, order: ChangeOrder, request: RoomChangeRequest, afterAlone: () => void): Promise<RoomChangeResult> {
  const stats = emptyStats();
  const sessions = new RequestSessions(new Map(Object.entries(request.bookmarks)), false);
  const deps = roomDeps(room, stats, request.requestId, sessions);
  const entry = ROOM_CHANGES[request.name] as unknown as Change<unknown[], unknown>;
  const args = request.args as unknown[];
  const work = () => entry.run(deps, ...args);
  try {
    const value =
      entry.order === "alone"
        ? await order.alone(() => work().finally(afterAlone))
        : await order.alongsideOthers(work, entry.order(...args), entry.join !== false);
    return { value, d1: stats, bookmarks: sessions.bookmarks() };
  } catch (err) {
    return { error: errorData(err, request.requestId, request.channelId), d1: stats, bookmarks: sessions.bookmarks() };
  }
}
