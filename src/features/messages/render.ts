/** Messages gathered from several history shards (mentions feed, search), rendered as the REST object. */
import type { Deps } from "../../env";
import * as history from "../../history";
import type { MessageRow } from "../../history";
import { messageJson } from "./messages.schemas";
import { withSenders } from "./senders";

/** Rows found on one shard (the binding's name, as in channels.shard). */
export interface ShardRows {
  shard: string;
  rows: MessageRow[];
}

/** Newest first (ids are time-sortable 19-digit strings). */
export const newestFirst = (a: { id: string }, b: { id: string }) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * Up to 100 rows from any shards as message objects, newest first: reactions read on each shard in
 * parallel, sender names in one directory read, as the channel's message list does.
 */
export async function renderMessages(deps: Deps, found: ShardRows[]) {
  const nonEmpty = found.filter((f) => f.rows.length > 0);
  const [reactionMaps, rows] = await Promise.all([
    Promise.all(nonEmpty.map((f) => history.reactionsFor(deps.history(f.shard), f.rows.filter((m) => m.deletedAt === null).map((m) => m.id)))),
    withSenders(
      deps.db,
      nonEmpty.flatMap((f) => f.rows),
    ),
  ]);
  const reactions = new Map(reactionMaps.flatMap((m) => [...m]));
  return rows.sort(newestFirst).map((m) => messageJson(m, reactions.get(m.id)));
}
