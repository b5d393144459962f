/** Reactions, callable from any surface: plain arguments, no HTTP. */
import type { Deps } from "../../env";
import * as history from "../../history";
import { isUniqueViolation } from "../../platform/db-errors";
import { ApiError, messageNotFound } from "../../platform/errors";
import { publish } from "../../realtime/notify";
import { loadChannel, requirePoster } from "../channels/access";

export const MAX_DISTINCT_EMOTES = 20;

export const reactionExists = () => new ApiError("CHAT_REACTION_EXISTS", "You already reacted with this emote");
export const tooManyEmotes = () => new ApiError("CHAT_TOO_MANY_REACTIONS", `A message takes at most ${MAX_DISTINCT_EMOTES} distinct emotes`);
export const reactionNotFound = () => new ApiError("CHAT_REACTION_NOT_FOUND", "You have not reacted with this emote");

/** The live (not deleted) message the caller may react to, and its channel's history shard. */
async function reactableMessage(deps: Deps, me: string, channelId: string, messageId: string) {
  const access = await loadChannel(deps.db, channelId, me);
  await requirePoster(deps.db, access, me);
  const shard = deps.history(access.channel.shard);
  return { shard, message: await history.requireLiveMessage(shard, access.channel.id, messageId) };
}

export async function addReaction(deps: Deps, me: string, channelId: string, messageId: string, emote: string) {
  const { shard, message } = await reactableMessage(deps, me, channelId, messageId);
  let outcome;
  try {
    outcome = await history.addReaction(shard, message.id, emote, me, MAX_DISTINCT_EMOTES);
  } catch (err) {
    if (isUniqueViolation(err)) throw reactionExists();
    throw err;
  }
  if (outcome === "message_gone") throw messageNotFound();
  if (outcome === "too_many") throw tooManyEmotes();
  await publish(deps, message.channelId, "reaction_add", { message_id: message.id, emote_asset_id: emote, user_id: me });
}

export async function removeReaction(deps: Deps, me: string, channelId: string, messageId: string, emote: string) {
  const { shard, message } = await reactableMessage(deps, me, channelId, messageId);
  if (!(await history.removeReaction(shard, message.id, emote, me))) {
    throw reactionNotFound();
  }
  await publish(deps, message.channelId, "reaction_remove", { message_id: message.id, emote_asset_id: emote, user_id: me });
}
