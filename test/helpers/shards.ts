import { env } from "cloudflare:test";

/** The history shard (its D1 binding) holding a channel's messages: for tests that read rows directly. */
export async function shardOf(channelId: string): Promise<D1Database> {
  const row = await env.DB.prepare("select shard from channels where id = ?").bind(channelId).first<{ shard: string }>();
  if (!row) throw new Error(`channel ${channelId} has no row`);
  return (env as unknown as Record<string, D1Database>)[row.shard]!;
}

export const SHARDS = ["HISTORY_0", "HISTORY_1"] as const;

/** The shard binding name a channel was placed on. */
export async function shardNameOf(channelId: string): Promise<string> {
  const row = await env.DB.prepare("select shard from channels where id = ?").bind(channelId).first<{ shard: string }>();
  if (!row) throw new Error(`channel ${channelId} has no row`);
  return row.shard;
}

/**
 * Creates channels with `create` until one lands on `shard` (placement picks the least-loaded shard,
 * so this takes a few at most), so a test can exercise a feature on each history shard.
 */
export async function channelOnShard<C extends { id: string }>(shard: string, create: () => Promise<C>): Promise<C> {
  for (let i = 0; i < 8; i++) {
    const channel = await create();
    if ((await shardNameOf(channel.id)) === shard) return channel;
  }
  throw new Error(`no channel landed on ${shard}`);
}
