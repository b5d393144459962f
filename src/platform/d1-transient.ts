/**
 * Transient D1 failures: errors that say nothing about the request (the database restarted, was
 * overloaded, lost its connection) and that the same request may not meet a moment later.
 *
 * Which ones: Cloudflare's list of D1 errors marks these "retry the operation"
 * (https://developers.cloudflare.com/d1/observability/debug-d1/#error-list, and
 * https://developers.cloudflare.com/d1/best-practices/retry-queries/); "internal error" is what a
 * D1 session (`withSession`) says when it cannot get its commit token, seen locally while another
 * process used the same state. Constraint failures, syntax errors and our own bugs match none.
 */
const TRANSIENT = [
  /Network connection lost/i,
  /reset because its code was updated/i,
  /caused object to be reset/i, // storage operation exceeded timeout / internal error in storage / starting up
  /D1 DB is overloaded/i, // "Requests queued for too long", "Too many requests queued"
  /transient issue on remote node/i,
  /D1_ERROR\b.*\binternal error\b/i, // "D1_ERROR: Failed to get session commit token: internal error"
];

/** D1 already retries read-only statements in production; one more here covers sessions and local state. */
export const READ_RETRIES = 1;

/** Seconds a client should wait before repeating a request refused by a transient failure. */
export const TRANSIENT_RETRY_AFTER_SECONDS = 1;

export const isTransientD1Message = (text: string) => TRANSIENT.some((pattern) => pattern.test(text));

/**
 * A transient D1 failure that was not (or could not safely be) retried here. Its message keeps the
 * original text, so it is still recognised after crossing a Durable Object's RPC boundary (which
 * keeps messages, not classes).
 */
export class D1Unavailable extends Error {
  constructor(readonly original: unknown) {
    super(`D1 unavailable: ${String((original as Error)?.message ?? original)}`, { cause: original });
    this.name = "D1Unavailable";
  }
}

/** True when `err`, or anything in its `cause` chain (Drizzle wraps driver errors), is a transient D1 failure. */
export function isTransientD1Failure(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof D1Unavailable) return true;
    if (isTransientD1Message(String((e as Error).message ?? e))) return true;
  }
  return false;
}

// The same rule as D1's own automatic retries: a statement made only of SELECT / WITH / EXPLAIN, with
// no keyword that writes (a `WITH … INSERT` or a `RETURNING` write is not a read). Anything in doubt
// counts as a write, which is never retried.
const READ_START = /^\s*(SELECT|WITH|EXPLAIN)\b/i;
const WRITE_WORD = /\b(INSERT|UPDATE|DELETE|REPLACE\s+INTO|CREATE|DROP|ALTER|PRAGMA|VACUUM|ATTACH|DETACH|REINDEX|ANALYZE)\b/i;

/** Whether a statement only reads, so running it twice is the same as running it once. */
export const isReadOnlySql = (sql: string) => READ_START.test(sql) && !WRITE_WORD.test(sql);

/**
 * Runs one D1 call (a statement or a batch). A transient failure of a read is retried once, after a
 * short jittered pause; a write is never retried here: it may have committed before its answer was
 * lost, and repeating an `UPDATE … SET n = n + 1` or an insert with a fresh id is not harmless — so
 * it becomes D1Unavailable (503) and the client, which knows whether its request is idempotent
 * (GET, an Idempotency-Key), decides. Other errors pass through untouched.
 */
export async function withTransientRetry<T>(readOnly: boolean, attempt: () => Promise<T>): Promise<T> {
  for (let tried = 0; ; tried++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isTransientD1Failure(err)) throw err;
      if (!readOnly || tried >= READ_RETRIES) throw err instanceof D1Unavailable ? err : new D1Unavailable(err);
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 60));
    }
  }
}
