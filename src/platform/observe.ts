import { createMiddleware } from "hono/factory";
import { createDb } from "./db";
import type { AppEnv, HistoryDb } from "../env";
import { BOOKMARK_HEADER, RequestSessions, parseBookmarks } from "./sessions";
import { historyDb, shardBinding } from "./shards";
import { addStats, emptyStats, meterD1, serverTiming, simulateD1Distance } from "./d1-metering";
import { FAULT_HEADER, d1FaultsFrom } from "./d1-faults";

/**
 * Gives the request a metered Drizzle client, then reports what it cost:
 * `Server-Timing` (D1 time, rows read/written) and one JSON log line.
 */
export const observe = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  const stats = emptyStats();
  c.set("d1Stats", stats);
  simulateD1Distance(c.env);
  const sent = parseBookmarks(c.req.header(BOOKMARK_HEADER));
  const sessions = new RequestSessions(sent, c.req.method === "GET");
  c.set("remote", {
    sent: Object.fromEntries(sent),
    absorb: (d1, bookmarks) => {
      addStats(stats, d1);
      sessions.absorb(bookmarks);
    },
  });
  // Tests only: one fault plan for every database of this request (undefined unless FAULT_INJECTION).
  const faults = d1FaultsFrom(c.env, c.req.header(FAULT_HEADER));
  c.set("db", createDb(meterD1(sessions.session("DB", c.env.DB), stats, faults)));
  // Shards are opened on first use; the same stats count directory and shard statements together.
  const shards = new Map<string, HistoryDb>();
  c.set("history", (shard) => {
    let db = shards.get(shard);
    if (!db) shards.set(shard, (db = historyDb(meterD1(sessions.session(shard, shardBinding(c.env, shard)), stats, faults))));
    return db;
  });

  await next();

  const ms = Date.now() - started;
  // A WebSocket upgrade (101) comes from the Durable Object with immutable headers.
  if (c.res.status !== 101) {
    c.res.headers.set("Server-Timing", serverTiming(stats, ms));
    const bookmarks = sessions.header();
    if (bookmarks) c.res.headers.set(BOOKMARK_HEADER, bookmarks);
  }
  if (c.env.LOG_LEVEL === "silent") return;
  console.log(
    JSON.stringify({
      at: new Date(started).toISOString(),
      request_id: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms,
      user: c.get("user")?.id,
      d1: stats,
    }),
  );
});
