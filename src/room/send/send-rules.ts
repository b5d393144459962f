/** What a send is made of, and the rules both kinds of send (top-level and reply) share. */
import type { ChannelRow } from "../../db/directory";
import type { Deps, HistoryDb } from "../../env";
import type * as history from "../../history";
import type { MessageRow } from "../../history";
import { ApiError } from "../../platform/errors";
import { checkPoster, refuseBanned, refuseMuted, visibleChannel } from "../../features/channels/access";
import type { PostingVerdict } from "../../features/messages/messages.queries";
import type { SendInput } from "../wire";
import type { WriteAhead } from "../write-ahead";
import type { SlowMode } from "./slow-mode";
import { messageJson } from "../../features/messages/messages.schemas";
import { withSenders } from "../../features/messages/senders";

export type { SendInput } from "../wire";

/** What the channel's room keeps for the sends it runs (src/room/send/send-state.ts). Sends run only in the room. */
export interface SendRoom {
  verdict(poster: string): PostingVerdict | undefined;
  remember(poster: string, verdict: PostingVerdict): void;
  forget(poster: string): void;
  /** The next position (seeded from the room's storage and the directory's last one on wake-up). */
  takePosition(committed: number): number;
  /** False after a wake-up until `seedPosition` (or a send) set the counter. */
  positionKnown(): boolean;
  /** The highest position found stored in the shard: the counter starts after it. */
  seedPosition(stored: number): void;
  /** The channel's idempotency keys (src/room/send/send-keys.ts). */
  keys: {
    find(senderId: string, key: string, now: number): string | undefined;
    record(senderId: string, key: string, messageId: string, now: number): void;
    release(senderId: string, key: string, messageId: string): void;
  };
  /** When each sender last posted, for slow mode (src/room/send/slow-mode.ts). */
  slowMode: SlowMode;
  /** The room's write-ahead step and its flushes (src/room/write-ahead.ts). */
  wal: WriteAhead;
  /** A named point of a send where a test may hold it (src/realtime/faults.ts); free otherwise. */
  checkpoint(name: "send:checked" | "reply:checked"): Promise<void>;
}

/** A send under way, after the checks. */
export interface Sending {
  deps: Deps;
  input: SendInput;
  room: SendRoom;
  shard: HistoryDb;
  fields: history.NewMessage;
  /** Slow mode's interval for this sender here (ms); 0 when off or exempt. */
  slowMs: number;
}

/** The room's key for a poster's verdict (a publisher posting into its DM is a different question). */
export const posterKey = ({ senderId, poster }: SendInput) => (poster.kind === "member" ? `u:${senderId}` : `p:${senderId}:${poster.intoDm}`);

/**
 * The channel, or the error a refused send gets, in each surface's order. For the integration API:
 * the publisher, then the conversation (private ones are not addressable).
 */
export function permitted(input: SendInput, verdict: PostingVerdict): ChannelRow {
  const { poster } = input;
  // A ban outlives the membership it removed: the banned user hears why, not "not a member" (§15).
  refuseBanned(verdict.access?.standing);
  if (poster.kind === "member") {
    const access = visibleChannel(verdict.access);
    checkPoster(access, access.blocked);
    return access.channel;
  }
  if (!verdict.livePublisher) throw new ApiError("CHAT_USER_NOT_FOUND", `Publisher ${poster.publisherId} not found`);
  const channel = verdict.access?.channel;
  if (!channel || (channel.type === "dm" && !poster.intoDm)) throw new ApiError("CHAT_CHANNEL_NOT_FOUND", "Conversation not found");
  if (channel.archived) throw new ApiError("CHAT_CHANNEL_ARCHIVED", "This conversation is archived");
  // A publisher is moderated like a member: banned or muted in one channel, it posts there no more.
  refuseMuted(verdict.access?.standing);
  return channel;
}

/**
 * Slow mode's interval for this send (ms): the channel's `slow_mode_s` for a plain member's top-level
 * message; owner and admins (the channel's moderators), publishers and replies are exempt.
 */
export function slowModeMs(input: SendInput, verdict: PostingVerdict, channel: ChannelRow): number {
  if (!channel.slowModeS || input.parentId || input.poster.kind !== "member") return 0;
  const role = verdict.access?.membership?.role;
  return role === "owner" || role === "admin" ? 0 : channel.slowModeS * 1000;
}

/** A message event's id: announcing the same message twice makes one event (the room deduplicates). */
export const messageEventId = (messageId: string) => `message:${messageId}`;

export const json = async (deps: Deps, row: MessageRow) => messageJson((await withSenders(deps.db, [row]))[0]!);
