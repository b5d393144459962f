import { z } from "@hono/zod-openapi";

/** User ids are the token's `sub`: 1–128 characters that are safe in a URL path segment. */
export const USER_ID_PATTERN = /^[A-Za-z0-9_.@:|+-]{1,128}$/;

export const UserId = z
  .string()
  .regex(USER_ID_PATTERN, "user ids are 1-128 characters of A-Z a-z 0-9 _ . @ : | + -")
  .openapi({ example: "bob", description: "A user's id: the `sub` of their token" });

export const Snowflake = z
  .string()
  .openapi({ example: "1234567890123456789", description: "19-digit id (a snowflake: sortable as text, time-ordered)" });
export const UnixSeconds = z.number().int().openapi({ example: 1735732800, description: "Unix time in seconds" });

/** Query-string booleans: only "true"/"1" are true; anything else is refused. */
export const QueryBool = z
  .enum(["true", "false", "1", "0"])
  .transform((v) => v === "true" || v === "1");

/** Counts code points, as users see characters, not UTF-16 units. */
export const codePoints = (s: string) => [...s].length;

/** Stored milliseconds → the API's unix seconds. */
export const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * A time a client sends (`send_at`, `remind_at`, DESIGN §3): unix seconds or RFC 3339, as ms. Whether
 * it is far enough ahead is the caller's check, against the time of the request.
 */
export const ClientTime = z
  .union([z.number().int().positive().max(1e11), z.string().datetime({ offset: true })])
  .transform((v) => (typeof v === "number" ? v * 1000 : Date.parse(v)))
  .openapi({ type: "string", example: "2026-05-01T09:00:00Z", description: "RFC 3339 (with Z or an offset) or unix seconds" });
