/**
 * Erasure in a room (DESIGN §17): the room forgets a user it may still name. Everything the room
 * accepted reaches D1 first (so the shard-side erasure that follows finds the user's last messages),
 * then the user's sockets close, their send idempotency keys go, and the replay log is cut at the
 * current seq: its frames carry names and message bodies, and rewriting them one by one would still
 * leave copies in clients' replays. A client reconnecting with an older `since_seq` gets
 * `resync_required` and refetches history, which the erasure has already changed.
 */
import { CLOSE_REMOVED, closeQuietly } from "./protocol";

/** What the room lends the step: narrow, so this file depends on no class. */
export interface ForgetHost {
  sql: SqlStorage;
  allFlushed(): Promise<void>;
  currentSeq(): number;
  /** The first seq D1 does not hold yet (undefined: none); the log never drops it. */
  firstUnflushed(): number | undefined;
  socketsOf(userId: string): WebSocket[];
  forgetTyping(userId: string): void;
  forgetVerdicts(): void;
}

/** Idempotent: a second call finds nothing of the user's and cuts an already short log again. */
export async function forgetUser(host: ForgetHost, userId: string) {
  await host.allFlushed();
  for (const ws of host.socketsOf(userId)) closeQuietly(ws, CLOSE_REMOVED, "account deleted");
  host.forgetTyping(userId);
  host.forgetVerdicts();
  host.sql.exec("DELETE FROM send_keys WHERE sender_id = ?", userId);
  const keep = host.firstUnflushed() ?? Number.MAX_SAFE_INTEGER;
  host.sql.exec("DELETE FROM events WHERE seq <= ? AND seq < ?", host.currentSeq(), keep);
}
