/**
 * History shards: D1 databases bound as HISTORY_<n>. A channel's shard is chosen once, at creation,
 * and stored on its row, so adding a shard moves no data; closing one (shards.open = 0) only stops
 * new channels from going there.
 */
import { drizzleFactory } from "./db";
import * as historySchema from "../db/history";
import type { Env, HistoryDb } from "../env";

const SHARD_BINDING = /^HISTORY_\d+$/;

/** The configured shards, in order (HISTORY_0, HISTORY_1, …). */
export function shardNames(env: Env): string[] {
  return Object.keys(env)
    .filter((key) => SHARD_BINDING.test(key))
    .sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));
}

/** The D1 binding of a shard; a name that is not configured is a deployment error, not a client's. */
export function shardBinding(env: Env, shard: string): D1Database {
  const binding = SHARD_BINDING.test(shard) ? (env as unknown as Record<string, D1Database | undefined>)[shard] : undefined;
  if (!binding) throw new Error(`history shard ${shard} is not bound in this deployment`);
  return binding;
}

/** Drizzle over a (possibly metered) shard binding, with the history schema. */
export const historyDb: (d1: D1Database) => HistoryDb = drizzleFactory(historySchema);

/** A `history(shard)` accessor without metering (queue consumers, the cron). */
export const plainHistory = (env: Env) => (shard: string) => historyDb(shardBinding(env, shard));
