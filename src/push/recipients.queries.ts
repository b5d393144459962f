/**
 * Who gets a push for a message, and the coalescing windows, in raw SQL on the directory (the
 * candidate sets are unions SQLite answers from indexes; see DESIGN §16).
 *
 * Cost does not grow with the channel: candidates are the mentioned users and thread participants
 * (lists the message brings), the members who chose `all` (a partial index), and — only in DMs and
 * groups of at most 10, whose default is `all` — the members. Each candidate is then probed by key:
 * membership and level, subscriptions, sockets (`user_sockets.online`, kept by the user hubs: any
 * user or channel socket open), do-not-disturb, and whether they blocked the sender.
 */

export interface Recipient {
  subscriptionId: string;
  userId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  /** Named in the message, or (for a reply) in the thread: urgent like a DM. */
  named: number;
}

const RECIPIENTS = `
WITH named(user_id) AS (SELECT value FROM json_each(?1)),
cand(user_id) AS (
  SELECT user_id FROM named
  UNION SELECT user_id FROM channel_members WHERE channel_id = ?2 AND notifications = 'all'
  UNION SELECT user_id FROM channel_members WHERE channel_id = ?2 AND ?3 = 1
)
SELECT s.id AS subscriptionId, s.user_id AS userId, s.endpoint, s.p256dh, s.auth,
       cand.user_id IN (SELECT user_id FROM named) AS named
  FROM cand
  JOIN channel_members m ON m.channel_id = ?2 AND m.user_id = cand.user_id
  JOIN users u ON u.id = cand.user_id
  JOIN push_subscriptions s ON s.user_id = cand.user_id
  LEFT JOIN user_sockets k ON k.user_id = cand.user_id
 WHERE cand.user_id != ?4
   AND coalesce(m.notifications, CASE WHEN ?3 = 1 THEN 'all' ELSE 'mentions' END) != 'none'
   AND (coalesce(m.notifications, CASE WHEN ?3 = 1 THEN 'all' ELSE 'mentions' END) = 'all' OR cand.user_id IN (SELECT user_id FROM named))
   AND coalesce(k.online, 0) = 0
   AND (u.dnd_until IS NULL OR u.dnd_until <= ?5)
   AND (s.expires_at IS NULL OR s.expires_at > ?5)
   AND NOT EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = cand.user_id AND b.blocked_id = ?4)`;

/**
 * The subscriptions a message goes to. `named`: users mentioned, plus a reply's thread participants;
 * `defaultAll`: the channel is a DM or a group of at most 10 (their members' default level is `all`).
 */
export async function recipients(d1: D1Database, channelId: string, senderId: string, named: string[], defaultAll: boolean, now: number): Promise<Recipient[]> {
  const { results } = await d1.prepare(RECIPIENTS).bind(JSON.stringify(named), channelId, defaultAll ? 1 : 0, senderId, now).all<Recipient>();
  return results;
}

/** The subscriptions of these users that may get a push now (still offline, not in DND): for windows ending. */
export async function stillReachable(d1: D1Database, userIds: string[], now: number): Promise<Omit<Recipient, "named">[]> {
  const { results } = await d1
    .prepare(
      `SELECT s.id AS subscriptionId, s.user_id AS userId, s.endpoint, s.p256dh, s.auth
         FROM push_subscriptions s JOIN users u ON u.id = s.user_id LEFT JOIN user_sockets k ON k.user_id = s.user_id
        WHERE s.user_id IN (SELECT value FROM json_each(?1)) AND coalesce(k.online, 0) = 0
          AND (u.dnd_until IS NULL OR u.dnd_until <= ?2) AND (s.expires_at IS NULL OR s.expires_at > ?2)`,
    )
    .bind(JSON.stringify(userIds), now)
    .all<Omit<Recipient, "named">>();
  return results;
}

/** Thread participants of a reply: the root's sender and everyone who replied (history shard). */
export async function threadParticipants(shard: D1Database, channelId: string, rootId: string): Promise<string[]> {
  const { results } = await shard
    .prepare("SELECT DISTINCT sender_id AS id FROM messages WHERE channel_id = ?1 AND (id = ?2 OR parent_id = ?2) LIMIT 1000")
    .bind(channelId, rootId)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/**
 * Opens or joins each user's window for the channel, atomically: a user whose window has ended gets
 * a new one and the push now (`sendNow`); otherwise `pending` becomes this notification (the latest
 * replaces the earlier) and is sent when the window ends. SET expressions read the row as it was.
 */
export async function enterWindows(d1: D1Database, channelId: string, userIds: string[], pending: string, now: number, windowMs: number) {
  if (userIds.length === 0) return [];
  const statement = d1.prepare(
    `INSERT INTO push_windows (user_id, channel_id, until, pending) VALUES (?1, ?2, ?3, NULL)
     ON CONFLICT (user_id, channel_id) DO UPDATE SET
       pending = CASE WHEN push_windows.until <= ?4 THEN NULL ELSE ?5 END,
       until = CASE WHEN push_windows.until <= ?4 THEN excluded.until ELSE push_windows.until END
     RETURNING user_id AS userId, until, pending IS NULL AS sendNow`,
  );
  const results = await d1.batch<{ userId: string; until: number; sendNow: number }>(userIds.map((id) => statement.bind(id, channelId, now + windowMs, now, pending)));
  return results.map((r) => r.results[0]!);
}

/** Windows of these users that have ended with a notification held back: claimed (cleared, a new window opened). */
export async function claimEndedWindows(d1: D1Database, channelId: string, userIds: string[], now: number, windowMs: number) {
  // One transaction: read what each ended window holds, then clear it and open the next window
  // (RETURNING would show the cleared value, so the read comes first).
  const ended = "user_id = ?1 AND channel_id = ?2 AND pending IS NOT NULL AND until <= ?3";
  const read = d1.prepare(`SELECT user_id AS userId, pending FROM push_windows WHERE ${ended}`);
  const claim = d1.prepare(`UPDATE push_windows SET pending = NULL, until = ?4 WHERE ${ended}`);
  const waiting = d1.prepare("SELECT user_id AS userId, until FROM push_windows WHERE user_id = ?1 AND channel_id = ?2 AND pending IS NOT NULL AND until > ?3");
  const results = await d1.batch(userIds.flatMap((id) => [read.bind(id, channelId, now), claim.bind(id, channelId, now, now + windowMs), waiting.bind(id, channelId, now)]));
  const claimed: { userId: string; pending: string }[] = [];
  const later: { userId: string; until: number }[] = [];
  results.forEach((r, i) => {
    if (i % 3 === 0) claimed.push(...(r.results as { userId: string; pending: string }[]));
    if (i % 3 === 2) later.push(...(r.results as { userId: string; until: number }[]));
  });
  return { claimed, later };
}

/**
 * Coalescing windows that ended more than an hour ago with nothing held (the hourly cron): a window
 * only matters while it is open or holds a notification, so the table stays the size of recent pushes.
 */
export async function pruneWindows(d1: D1Database, now: number): Promise<number> {
  const result = await d1.prepare("DELETE FROM push_windows WHERE until < ? AND pending IS NULL").bind(now - 60 * 60 * 1000).run();
  return result.meta.changes ?? 0;
}
