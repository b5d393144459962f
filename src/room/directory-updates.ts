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

/** Updates of one channel merged: everything accepted, the newest stamp. */
export function coalesce(updates: ChannelUpdate[]): ChannelUpdate[] {
  const byChannel = new Map<string, ChannelUpdate>();
  for (const u of updates) {
    const known = byChannel.get(u.channelId);
    if (!known) byChannel.set(u.channelId, { ...u, accepted: [...u.accepted] });
    else {
      known.stamp = Math.max(known.stamp, u.stamp);
      known.dm ||= u.dm;
      const seen = new Set(known.accepted.map((m) => m.messageId));
      known.accepted.push(...u.accepted.filter((m) => !seen.has(m.messageId)));
    }
  }
  return [...byChannel.values()];
}

/** The consumer: one directory batch for the whole queue batch; retried whole if it fails (idempotent). */
export async function consumeDirectoryUpdates(batch: MessageBatch<DirectoryJob>, env: Env) {
  const db = createDb(env.DB);
  const writes: BatchItem<"sqlite">[] = coalesce(batch.messages.map((m) => m.body.update)).flatMap((u) => directoryWrites(db, u));
  try {
    if (writes.length) await db.batch(writes as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
    batch.ackAll();
  } catch (err) {
    console.error(JSON.stringify({ level: "warn", queue: "directory", updates: batch.messages.length, error: String(err) }));
    batch.retryAll({ delaySeconds: 1 });
  }
}
