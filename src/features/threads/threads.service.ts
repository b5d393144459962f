/** Thread replies, callable from any surface: plain arguments, no HTTP. */
import type { Deps } from "../../env";
import * as history from "../../history";
import { loadChannel, requireMember } from "../channels/access";
import { messageJson } from "../messages/messages.schemas";
import { withSenders } from "../messages/senders";

/** A page of a thread's replies (members only), shaped like the channel's message page. */
export async function listReplies(deps: Deps, me: string, channelId: string, rootId: string, page: { limit: number; before?: string; after?: string }) {
  const access = await loadChannel(deps.db, channelId, me);
  requireMember(access);
  const shard = deps.history(access.channel.shard);
  const root = await history.requireThreadRoot(shard, access.channel.id, rootId);
  const found = await history.listMessages(shard, access.channel.id, page, root.id);
  const messages = await withSenders(deps.db, found.messages);
  return { messages: messages.map((m) => messageJson(m, found.reactions.get(m.id))), has_more: found.hasMore };
}
