/**
 * Full-text search on one shard, through `messages_fts` (FTS5, unicode61 with diacritics removed; its
 * rowid is the message id as an integer, kept in step with every insert, edit and delete by triggers,
 * so deleted messages and replaced words are not in it).
 */
import { and, inArray, isNull, sql } from "drizzle-orm";
import { type MessageRow, messages } from "../db/history";
import type { HistoryDb } from "../env";

export interface ShardSearch {
  /** An FTS5 MATCH expression built from quoted tokens only (features/search/match.ts): never user syntax. */
  match: string;
  /** The caller's channels on this shard: one JSON parameter however many there are. */
  channelIds: string[];
  /** Only messages older than this id. */
  before?: string;
  limit: number;
}

/** Up to this many channels are named inside MATCH (FTS5 intersects them with the words); more are filtered row by row. */
const CHANNELS_IN_MATCH = 20;

/**
 * The MATCH expression: the words confined to the body column, and for a few channels the channel
 * ids as a condition of the index itself, so a word common in another channel costs nothing here.
 * Channel ids are digits (validated snowflakes from the directory): safe inside quotes.
 */
function matchFor(s: ShardSearch) {
  const words = `body : (${s.match})`;
  if (s.channelIds.length > CHANNELS_IN_MATCH || !s.channelIds.every((id) => /^\d+$/.test(id))) return words;
  return `channel_id : (${s.channelIds.map((id) => `"${id}"`).join(" OR ")}) AND ${words}`;
}

/**
 * Up to `limit` matching messages of the given channels, newest first. The index is walked in its own
 * order (rowid descending, from `before`), keeping rows of those channels, until `limit` are found;
 * then the messages are read by primary key. No outer ORDER BY on `messages`: SQLite could otherwise
 * choose to walk the whole table in id order and test each row against the hits.
 */
export async function searchMessages(db: HistoryDb, s: ShardSearch): Promise<MessageRow[]> {
  if (s.channelIds.length === 0) return [];
  const older = s.before ? sql`and rowid < cast(${s.before} as integer)` : sql``;
  const hits = sql`(select cast(rowid as text) from messages_fts where messages_fts match ${matchFor(s)}
    and channel_id in (select value from json_each(${JSON.stringify(s.channelIds)})) ${older}
    order by rowid desc limit ${s.limit})`;
  const rows = await db
    .select()
    .from(messages)
    .where(and(inArray(messages.id, hits), isNull(messages.deletedAt)));
  return rows.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}
