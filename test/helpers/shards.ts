import { env } from "cloudflare:test";

/** The history shard (its D1 binding) holding a channel's messages: for tests that read rows directly. */
export async function shardOf(channelId: string): Promise<D1Database> {
  const row = await env.DB.prepare("select shard from channels where id = ?").bind(channelId).first<{ shard: string }>();
  if (!row) throw new Error(`channel ${channelId} has no row`);
  return (env as unknown as Record<string, D1Database>)[row.shard]!;
}
