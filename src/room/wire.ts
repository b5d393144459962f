/**
 * What crosses into a channel's room, and the Durable Objects' RPC surfaces as the Worker sees them.
 * Types only, and importing nothing that imports `src/env.ts`: env.ts names the Durable Object
 * namespaces with these interfaces instead of the classes (which import everything), so no import
 * circle runs through env.ts. Each class `implements` its interface, so the two cannot drift.
 */
import type { InlineEmote } from "../db/history";
import type { InjectedFault } from "../realtime/faults";
import type { D1Stats } from "../platform/d1-metering";
import type { ErrorCode } from "../platform/errors";

/** Who posts: a member (the right to post as in DESIGN §4), or a publisher through the integration API. */
export type Poster = { kind: "member" } | { kind: "publisher"; publisherId: number; intoDm: boolean };

export interface SendInput {
  channelId: string;
  /** Checked before anything is written, and again by the directory's conditional writes (see `Poster`). */
  poster: Poster;
  /** The message's author: a user id, or `pub_<n>` for a publisher. */
  senderId: string;
  /** Whose uploads the message may use (the user, or the integration that uploaded them). */
  uploaderId: string;
  body: string;
  inlineEmotes?: InlineEmote[];
  assetIds: string[];
  idempotencyKey?: string;
  /** Users to mention (at most 50): non-members and the sender are dropped; the message keeps the rest. */
  mentionedUserIds?: string[];
  /** Reply in this message's thread (a reply to a reply joins the root's); absent: a top-level message. */
  parentId?: string;
  /** Minted by the caller when it may retry the call: a second attempt finds the first's message by its id. */
  messageId?: string;
  /** false: no link previews for this message (DESIGN §18); noted by the room, see src/room/previews.ts. */
  unfurl?: boolean;
}

export interface RoomSendRequest extends SendInput {
  messageId: string;
  requestId: string;
  /** The client's X-D1-Bookmark, by database. */
  bookmarks: Record<string, string>;
}

/** An error as data (an RPC carries no class): the REST error's code, message, details and headers. */
export interface ErrorData {
  code: ErrorCode;
  message: string;
  details?: unknown;
  headers?: Record<string, string>;
}

/** A room's answer: the value or the error, plus the D1 cost and bookmarks for the request's headers. */
export type RoomAnswer<V> = (RoomCost & V) | (RoomCost & { error: ErrorData });
interface RoomCost {
  d1: D1Stats;
  bookmarks: Record<string, string>;
}

/** A message as the room answers it (the `/v1` message object; src/room/send/room-send.ts gives its precise type). */
export interface MessageJson {
  id: string;
  channel_id: string;
  /** Not `unknown`: the RPC stub's types turn what cannot be serialized into `never`. */
  [field: string]: string | number | boolean | null | undefined | object;
}

/** A change other than a send (src/room/changes.ts names them and their arguments). */
export interface RoomChangeRequest {
  name: string;
  args: unknown[];
  channelId: string;
  requestId: string;
  bookmarks: Record<string, string>;
}

/** What an edit of a scheduled message changes (omitted: unchanged). */
export interface ScheduledEdit {
  body?: string;
  inlineEmotes?: InlineEmote[];
  mentionedUserIds?: string[];
  sendAt?: number;
}

/** A call about a scheduled message (DESIGN §18), decided by its channel's room (src/room/scheduled/). */
export type ScheduledCall = { requestId: string; channelId: string; scheduledId: string } & (
  | { op: "create"; sendAt: number; input: SendInput }
  | { op: "edit"; userId: string; edit: ScheduledEdit }
  | { op: "cancel"; userId: string }
);

/** Events that change state: each takes the channel's next `seq` and is kept for replay. */
export type SequencedType = "message" | "message_update" | "message_delete" | "reaction_add" | "reaction_remove" | "member_add" | "member_update" | "member_remove" | "channel_update" | "channel_delete";
/** User socket frames that take the user's next `seq`. */
export type HubSequencedType = "notify" | "channel_add" | "channel_remove" | "channel_update" | "scheduled_failed" | "reminder";

/** One message on the DIRECTORY queue (src/room/directory-updates.ts): a room flush's directory writes, as data. */
export interface DirectoryJob {
  kind: "directory";
  update: {
    channelId: string;
    stamp: number;
    dm: boolean;
    accepted: { messageId: string; senderId: string; position: number; now: number; mentioned: string[] }[];
  };
}

/** A state-changing call to a room, as it travels through the JOBS retry queue. */
export type RoomCall =
  | { kind: "publish"; channelId: string; eventId: string; type: SequencedType; data: unknown }
  | { kind: "remove"; channelId: string; eventId: string; userId: string; reason?: "banned" }
  | { kind: "delete"; channelId: string; eventId: string };

/** A delivery to one user's hub; `eventId` makes it idempotent. */
export interface HubCall {
  userId: string;
  eventId: string;
  type: HubSequencedType;
  data: unknown;
}

/** Hub calls as they travel through the JOBS queue: up to 100 per message, all retried together (each hub dedupes). */
export interface HubCalls {
  kind: "hubs";
  calls: HubCall[];
}

/** The channel's room (src/room/channel-room.ts). */
export interface ChannelRoomRpc extends Rpc.DurableObjectBranded {
  fetch(request: Request): Promise<Response>;
  send(request: RoomSendRequest): Promise<RoomAnswer<{ message: MessageJson; replayed: boolean }>>;
  change(request: RoomChangeRequest): Promise<RoomAnswer<{ value: unknown }>>;
  scheduledMessage(call: ScheduledCall): Promise<RoomAnswer<{ value: { scheduled_message: MessageJson } | null }>>;
  /** An InjectedFault only in tests (FAULT_INJECTION): callers go through performRoomCall, which raises it. */
  publish(channelId: string, type: string, data: unknown, eventId?: string): Promise<number | InjectedFault>;
  removeMember(channelId: string, userId: string, eventId?: string, reason?: "banned"): Promise<number | InjectedFault>;
  deleteChannel(channelId: string, eventId?: string): Promise<void | InjectedFault>;
  sendTo(channelId: string, userId: string, type: string, data: unknown): Promise<void>;
  sendToAll(channelId: string, type: string, data: unknown): Promise<void>;
  typing(channelId: string, userId: string): Promise<void>;
  typingUsers(): Promise<string[]>;
  presence(channelId: string, userId: string, online: boolean): Promise<void>;
  blockChanged(channelId: string, blockerId: string, blockedId: string, blocked: boolean): Promise<void>;
  /** Erasure (DESIGN §17, src/room/forget-user.ts). */
  forgetUser(userId: string): Promise<void>;
  /** An app-wide ban (DESIGN §15): the user's sockets here close (4003); membership is untouched. */
  closeUserSockets(channelId: string, userId: string, reason: string): Promise<void>;
  /** Tests only (FAULT_INJECTION=true). */
  failNextCalls(n: number): Promise<void>;
  holdAt(point: string): Promise<void>;
  reached(point: string): Promise<void>;
  release(point: string): Promise<void>;
  waitingChanges(): Promise<{ alone: number; behindKeys: number }>;
  settle(): Promise<void>;
  stats(): Promise<{ seq: number; unflushed: number; flushed_messages: number; flushes: number; d1_transactions: number; directory_transactions: number; sockets: number; alarms: number; scheduled: { waiting: number; wakes: number; sent: number; failed: number; next_due: number | null } }>;
  pauseFlushes(paused: boolean): Promise<void>;
  failNextFlushes(n: number): Promise<void>;
  limitBacklog(n: number): Promise<void>;
}

/** A user's hub (src/realtime/user-hub.ts). */
export interface UserHubRpc extends Rpc.DurableObjectBranded {
  fetch(request: Request): Promise<Response>;
  /** An InjectedFault only in tests (FAULT_INJECTION): performHubCall raises it. */
  deliver(userId: string, type: string, data: unknown, eventId: string): Promise<number | InjectedFault>;
  channelSockets(userId: string, channelId: string, count: number): Promise<void>;
  /** Erasure (DESIGN §17): closes the user's sockets and empties the hub's log and state. */
  forget(): Promise<void>;
  remind(userId: string, reminder: { id: string; [field: string]: string | number | null }, at: number): Promise<void>;
  forgetReminder(id: string): Promise<void>;
  reminderStats(): Promise<{ waiting: number; wakes: number }>;
  /** An app-wide ban (DESIGN §15): closes the user's sockets (4003); answers the channels where they have sockets open. */
  disconnect(reason: string): Promise<string[]>;
  /** Tests and benches. */
  stats(): Promise<{ seq: number; userSockets: number; channelSockets: number; online: boolean }>;
  /** Tests only (FAULT_INJECTION=true). */
  failNextCalls(n: number): Promise<void>;
}

/** The id-node registry (src/platform/id-registry.ts). */
export interface IdNodeRegistryRpc extends Rpc.DurableObjectBranded {
  lease(holder: string, preferred?: number): Promise<{ node: number; until: number }>;
}
