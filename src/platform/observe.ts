import { createMiddleware } from "hono/factory";
import { createDb } from "./db";
import type { AppEnv } from "../env";
import { emptyStats, meterD1, serverTiming } from "./d1-metering";

/**
 * Gives the request a metered Drizzle client, then reports what it cost:
 * `Server-Timing` (D1 time, rows read/written) and one JSON log line.
 */
export const observe = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  const stats = emptyStats();
  c.set("d1Stats", stats);
  c.set("db", createDb(meterD1(c.env.DB, stats)));

  await next();

  const ms = Date.now() - started;
  // A WebSocket upgrade (101) comes from the Durable Object with immutable headers.
  if (c.res.status !== 101) c.res.headers.set("Server-Timing", serverTiming(stats, ms));
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
