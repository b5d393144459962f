/**
 * The directory off the message path (DESIGN §12): a room's flush writes the shard, then hands the
 * directory's part — the channel's last position and activity, the senders' cursors, unhidden DMs,
 * mention rows — to the DIRECTORY queue. Its consumer coalesces a whole batch (up to 100 updates, of
 * any channels, within a second) per channel and writes it in ONE directory transaction, so the
 * directory's write rate grows with busy channels per second, not with messages. Updates come late
 * and more than once: every write is a max, a guarded cursor move (`cursor_stamp`) or an insert
 * that ignores conflicts, so a late one never undoes a later change.
 */
import type { BatchItem } from "drizzle-orm/batch";
import type { Env } from "../env";
import { type ChannelUpdate, directoryWrites } from "../features/messages/messages.queries";
import { createDb } from "../platform/db";

export type { ChannelUpdate } from "../features/messages/messages.queries";

export type { DirectoryJob } from "./wire";
import type { DirectoryJob } from "./wire";

/** Statements per directory transaction (D1 limits the statements one invocation may run). */
const WRITES_PER_BATCH = 200;

/** Updates of one channel merged: everything accepted, the newest stamp. */
export function coalesce(updates: ChannelUpdate[]): ChannelUpdate[] {
  const byChannel = new Map<string, ChannelUpdate>();
  for (const u of updates) {
    // Each message keeps its own update's stamp: merged with a later update, a sender's cursor move is
    // still guarded by the stamp it was made with (a mark-unread between the two must win).
    const accepted = u.accepted.map((m) => ({ ...m, stamp: m.stamp ?? u.stamp }));
    const known = byChannel.get(u.channelId);
    if (!known) byChannel.set(u.channelId, { ...u, accepted });
    else {
      known.stamp = Math.max(known.stamp, u.stamp);
      known.dm ||= u.dm;
      const seen = new Set(known.accepted.map((m) => m.messageId));
      known.accepted.push(...accepted.filter((m) => !seen.has(m.messageId)));
    }
  }
  return [...byChannel.values()];
}

/** The consumer: one directory batch for the whole queue batch; retried whole if it fails (idempotent). */
export async function consumeDirectoryUpdates(batch: MessageBatch<DirectoryJob>, env: Env) {
  const db = createDb(env.DB);
  const writes: BatchItem<"sqlite">[] = coalesce(batch.messages.map((m) => m.body.update)).flatMap((u) => directoryWrites(db, u));
  try {
    // One transaction for the batch, unless it is large: then chunks of WRITES_PER_BATCH (each write
    // is safe to repeat, so a retry after a partial success changes nothing twice).
    let transactions = 0;
    for (let i = 0; i < writes.length; i += WRITES_PER_BATCH, transactions++) {
      await db.batch(writes.slice(i, i + WRITES_PER_BATCH) as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
    }
    batch.ackAll();
    // One line per batch: what the directory's write rate is made of (bench/directory.mjs counts them).
    if (env.LOG_LEVEL === "debug" || env.LOG_LEVEL === "info") console.log(JSON.stringify({ queue: "directory", updates: batch.messages.length, writes: writes.length, transactions }));
  } catch (err) {
    console.error(JSON.stringify({ level: "warn", queue: "directory", updates: batch.messages.length, error: String(err) }));
    batch.retryAll({ delaySeconds: 1 });
  }
}
