/** Message search, callable from any surface: plain arguments, no HTTP. */
import type { Deps } from "../../env";
import * as history from "../../history";
import { channelNotFound } from "../../platform/errors";
import { isId } from "../../platform/ids";
import { findChannelWithMembership } from "../channels/channels.queries";
import { newestFirst, renderMessages } from "../messages/render";
import { ftsMatch } from "./match";
import { memberChannelsByShard } from "./search.queries";

export interface SearchInput {
  q: string;
  channel_id?: string;
  limit: number;
  before?: string;
}

/**
 * Searches the caller's channels (or one of them): each shard they have channels on is asked in
 * parallel for its newest `limit + 1` matches before the cursor; the answers are merged newest first.
 */
export async function searchMessages(deps: Deps, me: string, input: SearchInput) {
  const scope = input.channel_id === undefined ? await memberChannelsByShard(deps.db, me) : await oneChannel(deps, me, input.channel_id);
  const match = ftsMatch(input.q);
  if (!match) return { messages: [], has_more: false };
  const found = await Promise.all(
    [...scope].map(async ([shard, channelIds]) => {
      const rows = await history.searchMessages(deps.history(shard), { match, channelIds, before: input.before, limit: input.limit + 1 });
      return rows.map((row) => ({ shard, row }));
    }),
  );
  const merged = found.flat().sort((a, b) => newestFirst(a.row, b.row));
  const page = merged.slice(0, input.limit);
  const shards = [...new Set(page.map((p) => p.shard))];
  const rows = shards.map((shard) => ({ shard, rows: page.filter((p) => p.shard === shard).map((p) => p.row) }));
  return { messages: await renderMessages(deps, rows), has_more: merged.length > input.limit };
}

/** `channel_id`: the caller must be a member (rooms included); otherwise it does not exist for them. */
async function oneChannel(deps: Deps, me: string, channelId: string) {
  const found = isId(channelId) ? await findChannelWithMembership(deps.db, channelId, me) : undefined;
  if (!found?.membership) throw channelNotFound();
  return new Map([[found.channel.shard, [found.channel.id]]]);
}
