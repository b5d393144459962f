/** The directory's side of search: which channels the caller may search, and where their history is. */
import { and, eq, isNull } from "drizzle-orm";
import { channelMembers, channels } from "../../db/directory";
import type { Db } from "../../env";

/** The caller's channels (hidden and archived ones too), grouped by history shard: shard → channel ids. */
export async function memberChannelsByShard(db: Db, userId: string) {
  const rows = await db
    .select({ id: channels.id, shard: channels.shard })
    .from(channelMembers)
    .innerJoin(channels, eq(channels.id, channelMembers.channelId))
    .where(and(eq(channelMembers.userId, userId), isNull(channels.deletedAt)));
  const byShard = new Map<string, string[]>();
  for (const r of rows) byShard.set(r.shard, [...(byShard.get(r.shard) ?? []), r.id]);
  return byShard;
}
