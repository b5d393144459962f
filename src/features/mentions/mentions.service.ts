/** The mentions feed, callable from any surface: plain arguments, no HTTP. */
import type { Deps } from "../../env";
import * as history from "../../history";
import { type ShardRows, renderMessages } from "../messages/render";
import { mentionPage } from "./mentions.queries";

/**
 * A page of the messages mentioning `me` in channels they are in now, newest first: the page's ids
 * come from the directory's mention index, then each shard holding some of them is read in parallel.
 */
export async function listMentions(deps: Deps, me: string, page: { limit: number; before?: string }) {
  const found = await mentionPage(deps.db, me, page.limit + 1, page.before);
  const ids = found.slice(0, page.limit);
  const byShard = new Map<string, string[]>();
  for (const m of ids) byShard.set(m.shard, [...(byShard.get(m.shard) ?? []), m.messageId]);
  const rows: ShardRows[] = await Promise.all(
    [...byShard].map(async ([shard, messageIds]) => ({ shard, rows: await history.liveMessagesByIds(deps.history(shard), messageIds) })),
  );
  return { messages: await renderMessages(deps, rows), has_more: found.length > page.limit };
}
