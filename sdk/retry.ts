// When and how long the SDK waits before repeating a request the server refused for a moment:
// 503 CHAT_UNAVAILABLE (a transient database failure, a channel's backlog) and 429 RATE_LIMITED.
// Only requests that are safe to repeat are repeated: reads (GET/HEAD), and sends, which carry an
// Idempotency-Key (client.ts); other writes surface the error, since a 503 may follow a write
// that was applied.
import { backoffDelay } from "./socket";

export interface RetryOptions {
  /** Attempts in all for a read that gets 503/429 (default 4: the first and three retries). */
  attempts?: number;
  /** First backoff wait up to this long (ms, default 400); doubles each retry, full jitter. */
  baseMs?: number;
  /** Cap on one backoff wait (ms, default 8000). */
  maxMs?: number;
  /** A Retry-After longer than this (ms, default 30 s) is not waited for: the error goes to the caller. */
  maxRetryAfterMs?: number;
}

/** Statuses that say "the same request may succeed a little later". */
export const RETRY_LATER = new Set([429, 503]);

/** Methods whose repetition cannot change anything. */
export const isSafeMethod = (method: string | undefined) => ["GET", "HEAD"].includes((method ?? "GET").toUpperCase());

/** Retry-After in ms (delta seconds or an HTTP date), or undefined when absent or unreadable. */
export function retryAfterMs(headers: Pick<Headers, "get">, now = Date.now()): number | undefined {
  const value = headers.get("Retry-After")?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * How long to wait before attempt `attempt + 1` (attempt 0 is the first request), or null to stop:
 * at least the server's Retry-After, plus a jittered share of the capped exponential backoff so
 * that clients told the same Retry-After do not all come back in the same instant; without one,
 * the backoff alone.
 */
export function retryDelay(attempt: number, retryAfter: number | undefined, opts: RetryOptions = {}, random = Math.random): number | null {
  const backoff = backoffDelay(attempt, { baseMs: opts.baseMs ?? 400, maxMs: opts.maxMs ?? 8000 }, random);
  if (retryAfter === undefined) return backoff;
  if (retryAfter > (opts.maxRetryAfterMs ?? 30_000)) return null;
  return retryAfter + Math.round(backoff / 2);
}
