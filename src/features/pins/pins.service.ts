/** Pins, callable from any surface: plain arguments, no HTTP. */
import type { Deps, HistoryDb } from "../../env";
import * as history from "../../history";
import type { MessageRow } from "../../history";
import { ApiError, messageNotFound } from "../../platform/errors";
import { publish } from "../../realtime/notify";
import { loadChannel, requireMember, requirePoster } from "../channels/access";
import { messageJson } from "../messages/messages.schemas";
import { withSenders } from "../messages/senders";

export const MAX_PINS = 50;
export const tooManyPins = () => new ApiError("CHAT_TOO_MANY_PINS", `A channel takes at most ${MAX_PINS} pinned messages`);

/** Messages as the API shows them: senders' names, and reactions of the live ones. */
async function render(deps: Deps, shard: HistoryDb, rows: MessageRow[]) {
  const [reactions, messages] = await Promise.all([
    history.reactionsFor(shard, rows.filter((m) => m.deletedAt === null).map((m) => m.id)),
    withSenders(deps.db, rows),
  ]);
  return messages.map((m) => messageJson(m, reactions.get(m.id)));
}

/** Whoever may post may pin and unpin (broadcast, archived and blocked-DM rules included). */
async function pinnable(deps: Deps, me: string, channelId: string) {
  const access = await loadChannel(deps.db, channelId, me);
  await requirePoster(deps.db, access, me);
  return { channel: access.channel, shard: deps.history(access.channel.shard) };
}

/**
 * Pins a live message. One conditional write decides (cap counted inside it): a change emits
 * `message_update`; an already pinned message is a no-op; otherwise the message is gone (404) or
 * the channel is at the cap (400).
 */
export async function pin(deps: Deps, me: string, channelId: string, messageId: string) {
  const { channel, shard } = await pinnable(deps, me, channelId);
  const pinned = await history.pinMessage(shard, channel.id, messageId, me, MAX_PINS, Date.now());
  if (pinned) {
    const [message] = await render(deps, shard, [pinned]);
    await publish(deps, channel.id, "message_update", message);
    return;
  }
  const message = await history.requireLiveMessage(shard, channel.id, messageId);
  if (message.pinnedAt !== null) return;
  throw tooManyPins();
}

/** Unpins a message: a change emits `message_update`; a message that is not pinned is a no-op. */
export async function unpin(deps: Deps, me: string, channelId: string, messageId: string) {
  const { channel, shard } = await pinnable(deps, me, channelId);
  const unpinned = await history.unpinMessage(shard, channel.id, messageId);
  if (!unpinned) {
    await history.requireLiveMessage(shard, channel.id, messageId); // not there (or deleted): 404
    return;
  }
  const [message] = await render(deps, shard, [unpinned]);
  await publish(deps, channel.id, "message_update", message);
}

/** The channel's pinned messages, most recently pinned first (members only). */
export async function listPins(deps: Deps, me: string, channelId: string) {
  const access = await loadChannel(deps.db, channelId, me);
  requireMember(access);
  const shard = deps.history(access.channel.shard);
  return { messages: await render(deps, shard, await history.listPinned(shard, access.channel.id, MAX_PINS)) };
}
