import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../env";

/** What a browser client may send beyond the CORS-safelisted headers. */
const ALLOW_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "X-API-KEY", "X-Filename", "X-D1-Bookmark", "X-Request-Id"];

/** Response headers a browser client's JavaScript may read (others are hidden cross-origin). */
const EXPOSE_HEADERS = [
  "X-Request-Id", "Server-Timing", "Retry-After", "Idempotent-Replayed", "Link", "X-D1-Bookmark",
  "x-ratelimit-minute-limit", "x-ratelimit-minute-remaining", "x-ratelimit-minute-reset",
  "x-ratelimit-day-limit", "x-ratelimit-day-remaining", "x-ratelimit-day-reset",
];

/** `CORS_ORIGINS`: comma-separated origins, or `*`. Empty or unset: no cross-origin access at all. */
export function parseOrigins(value: string | undefined): string[] | "*" {
  const origins = (value ?? "").split(",").map((o) => o.trim().replace(/\/+$/, "").toLowerCase()).filter(Boolean);
  return origins.includes("*") ? "*" : origins;
}

// One hono/cors handler per CORS_ORIGINS value (vars are fixed per deployment; tests vary them).
const handlers = new Map<string, MiddlewareHandler<AppEnv> | null>();

function handlerFor(value: string | undefined): MiddlewareHandler<AppEnv> | null {
  const key = value ?? "";
  if (handlers.has(key)) return handlers.get(key)!;
  const origins = parseOrigins(value);
  const handler =
    origins !== "*" && origins.length === 0
      ? null
      : cors({
          // A function (not the list) so the comparison ignores case, as origins' hosts do.
          origin: origins === "*" ? "*" : (origin) => (origins.includes(origin.toLowerCase()) ? origin : null),
          allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
          allowHeaders: ALLOW_HEADERS,
          exposeHeaders: EXPOSE_HEADERS,
          maxAge: 600, // browsers may skip repeating a preflight for 10 minutes
        });
  handlers.set(key, handler);
  return handler;
}

/**
 * CORS for browser clients on other origins. Runs before authentication, so a preflight (OPTIONS) is
 * answered 204 and never reaches a 401; the headers it sets survive into error responses (onError).
 */
export const corsMiddleware: MiddlewareHandler<AppEnv> = (c, next) => {
  const handler = handlerFor(c.env.CORS_ORIGINS);
  // WebSocket handshakes are not subject to CORS: leave their 101 response as the Durable Object made it.
  if (!handler || c.req.header("Upgrade")?.toLowerCase() === "websocket") return next();
  return handler(c, next);
};
