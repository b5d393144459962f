/** Where a new channel's history goes: the open shard holding the fewest channels. */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { shards } from "../../db/directory";
import type { Db, Env } from "../../env";
import { shardNames } from "../../platform/shards";

/**
 * Picks the shard for a new channel. Shards configured since the last pick are registered first
 * (a shard added to wrangler.toml starts empty and open). The count is taken in the creation batch.
 */
export async function pickShard(db: Db, env: Env): Promise<string> {
  const names = shardNames(env);
  const [, rows] = await db.batch([
    db.insert(shards).values(names.map((name) => ({ name }))).onConflictDoNothing(),
    db.select({ name: shards.name }).from(shards).where(and(eq(shards.open, true), inArray(shards.name, names))).orderBy(asc(shards.channels), asc(shards.name)).limit(1),
  ]);
  const chosen = rows[0]?.name;
  if (!chosen) throw new Error("no open history shard: open one with PATCH /admin/v1/shards/{name}");
  return chosen;
}

/** The statement that counts a new channel on its shard (part of the channel's creation batch). */
export const countChannelOn = (db: Db, shard: string) =>
  db.update(shards).set({ channels: sql`${shards.channels} + 1` }).where(eq(shards.name, shard));
