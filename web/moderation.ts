// What moderation means for the person using the client (DESIGN §15): until when they are muted in a
// channel, how long slow mode makes them wait, and why a channel left their list. The store feeds it
// (web/store.ts: opening a channel, a refused send, removals); components read these signals.
// Nothing here imports the store, so the two modules do not import each other.
import { signal } from "@preact/signals";
import { ChatApiError, type ChatClient } from "../sdk/index";

/** channel id → until when you are muted there (unix seconds); absent when you are not. */
export const mutedUntil = signal<ReadonlyMap<string, number>>(new Map());
/** After a send refused by slow mode: the channel and when (ms since epoch) you may send again. */
export const slowWait = signal<{ channelId: string; until: number } | null>(null);
/** Why a channel left your list, until dismissed: "You were banned from #name". */
export const removal = signal<{ channelId: string; text: string } | null>(null);

/** Records until when you are muted in a channel (null, or a time passed: not muted). */
export function setMuted(channelId: string, until: number | null): void {
  const inForce = until !== null && until * 1000 > Date.now();
  if ((inForce ? until : undefined) === mutedUntil.value.get(channelId)) return; // nothing new: no re-render
  const next = new Map(mutedUntil.value);
  if (inForce) next.set(channelId, until);
  else next.delete(channelId);
  mutedUntil.value = next;
}

/** Until when you are muted in a channel, while that is still ahead; else null. */
export function mutedNow(channelId: string): number | null {
  const until = mutedUntil.value.get(channelId);
  return until !== undefined && until * 1000 > Date.now() ? until : null;
}

/**
 * Your standing in a channel, read again when it opens: the channel list's `muted_until` is as old
 * as the list, and a mute sends no event to the muted member.
 */
export async function loadStanding(c: ChatClient, channelId: string): Promise<void> {
  const channel = await c.channel(channelId).catch(() => null);
  if (channel) setMuted(channelId, channel.muted_until ?? null);
}

/**
 * A send the server refused for a mute or for slow mode: remembers it for the composer, which then
 * says so in its place. True when handled that way (the caller shows no "Not sent" banner).
 */
export function refusedSend(channelId: string, err: unknown): boolean {
  if (!(err instanceof ChatApiError)) return false;
  const details = (err.details ?? {}) as { muted_until?: number; retry_after?: number };
  if (err.code === "CHAT_MUTED") {
    // A mute always has an end; without one in the answer, a minute keeps the composer honest.
    setMuted(channelId, details.muted_until ?? Math.ceil(Date.now() / 1000) + 60);
    return true;
  }
  if (err.code === "CHAT_SLOW_MODE") {
    const waitMs = err.retryAfterMs ?? (details.retry_after ?? 1) * 1000;
    slowWait.value = { channelId, until: Date.now() + waitMs };
    return true;
  }
  return false;
}

/** Channels you are leaving yourself: their removal is not news to you. */
const leaving = new Set<string>();

/** Call before leaving a channel: the removal events that follow (either socket, any order) show no notice. */
export function expectRemoval(channelId: string): void {
  leaving.add(channelId);
  setTimeout(() => leaving.delete(channelId), 30_000); // both events come within moments of the answer
}

const named = (name: string | undefined) => (name ? `#${name}` : "a channel");

/**
 * You left a channel's members: `banned` from the channel socket's `member_remove` (reason
 * "banned"), false when removed by a moderator, null when only the user socket's `channel_remove`
 * said so (removed while the channel was not open, or deleted). The user socket's word, which may
 * come first or last, never replaces what the channel socket said.
 */
export function removedFrom(channelId: string, name: string | undefined, banned: boolean | null): void {
  if (leaving.has(channelId)) return;
  if (banned === null && removal.value?.channelId === channelId) return;
  const text = banned ? `You were banned from ${named(name)}.` : banned === false ? `You were removed from ${named(name)}.` : `You are no longer in ${named(name)}.`;
  removal.value = { channelId, text };
  setMuted(channelId, null);
}
