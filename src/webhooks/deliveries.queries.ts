/** Delivery rows: written when an event matches, claimed and updated per attempt, read by the log, purged by the cron. */
import { and, desc, eq, inArray, isNotNull, lt, notExists, sql } from "drizzle-orm";
import type { Db } from "../env";
import { type DeliveryAttempt, type DeliveryRow, webhookDeliveries, webhooks } from "../db/schema";

export type NewDelivery = Pick<DeliveryRow, "id" | "webhookId" | "event" | "payload" | "createdAt">;

/** One batch (one round trip, one transaction); rows in chunks under D1's 100 bound parameters. */
export async function insertDeliveries(db: Db, rows: NewDelivery[]) {
  const values = rows.map((r) => ({ ...r, updatedAt: r.createdAt, nextAttemptAt: r.createdAt }));
  const chunks = [];
  for (let i = 0; i < values.length; i += 10) chunks.push(db.insert(webhookDeliveries).values(values.slice(i, i + 10)));
  const [first, ...rest] = chunks;
  if (first) await db.batch([first, ...rest]);
}

/**
 * Takes the next attempt of each pending delivery (attempts + 1) and reads their webhooks, in one
 * round trip for the whole queue batch. A delivery that is finished, gone or out of attempts is
 * not claimed — a duplicate queue message then does nothing. (Two copies racing may both claim:
 * receivers dedupe on the id.)
 */
export async function claimAttempts(db: Db, jobs: { deliveryId: string; webhookId: number }[], maxAttempts: number, now: number) {
  const [first, ...rest] = jobs.map((j) =>
    db
      .update(webhookDeliveries)
      .set({ attempts: sql`${webhookDeliveries.attempts} + 1`, updatedAt: now })
      .where(and(eq(webhookDeliveries.id, j.deliveryId), eq(webhookDeliveries.status, "pending"), lt(webhookDeliveries.attempts, maxAttempts)))
      .returning(),
  );
  if (!first) return { claimed: [], webhooks: new Map() };
  const ids = [...new Set(jobs.map((j) => j.webhookId))];
  const hooks = db
    .select({ id: webhooks.id, url: webhooks.url, secret: webhooks.secret, disabled: webhooks.disabled, deletedAt: webhooks.deletedAt })
    .from(webhooks)
    .where(inArray(webhooks.id, ids));
  const results = await db.batch([hooks, first, ...rest]);
  const [found, ...claims] = results as [Awaited<typeof hooks>, ...DeliveryRow[][]];
  return { claimed: claims.map((rows) => rows[0]), webhooks: new Map(found.map((w) => [w.id, w])) };
}

export interface AttemptOutcome {
  status: DeliveryRow["status"];
  lastStatusCode: number | null;
  lastError: string | null;
  log: DeliveryAttempt[];
  nextAttemptAt: number | null;
}

/** Every attempt of a queue batch recorded in one round trip. */
export async function recordAttempts(db: Db, outcomes: { id: string; outcome: AttemptOutcome }[], now: number) {
  const [first, ...rest] = outcomes.map(({ id, outcome }) => db.update(webhookDeliveries).set({ ...outcome, updatedAt: now }).where(eq(webhookDeliveries.id, id)));
  if (first) await db.batch([first, ...rest]);
}

/** A webhook's deliveries, newest first; `before` is a delivery id (ids sort by time). */
export async function listDeliveries(db: Db, webhookId: number, limit: number, before?: string) {
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.webhookId, webhookId), before ? lt(webhookDeliveries.id, before) : undefined))
    .orderBy(desc(webhookDeliveries.id))
    .limit(limit + 1);
  return { deliveries: rows.slice(0, limit), hasMore: rows.length > limit };
}

// ---- housekeeping (the hourly cron), each step bounded -------------------------------------

/** Deletes up to `limit` deliveries created before `before`, or of deleted webhooks; returns how many. */
export async function purgeDeliveries(db: Db, before: number, limit: number) {
  const old = db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(lt(webhookDeliveries.createdAt, before)).limit(limit);
  const orphaned = db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
    .where(isNotNull(webhooks.deletedAt))
    .limit(limit);
  const [a, b] = await db.batch([
    db.delete(webhookDeliveries).where(inArray(webhookDeliveries.id, old)).returning({ id: webhookDeliveries.id }),
    db.delete(webhookDeliveries).where(inArray(webhookDeliveries.id, orphaned)).returning({ id: webhookDeliveries.id }),
  ]);
  return a.length + b.length;
}

/** Deleted webhooks whose log is gone. */
export async function dropDeletedWebhooks(db: Db) {
  const logged = db.select({ one: sql`1` }).from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, webhooks.id));
  await db.delete(webhooks).where(and(isNotNull(webhooks.deletedAt), notExists(logged)));
}

/**
 * Pending deliveries whose next attempt is long overdue (their queue message was lost, or the
 * consumer died between claim and record): those with attempts left are handed back (returned,
 * with their due time moved, for the caller to queue again), the others recorded as failed.
 */
export async function takeOverdue(db: Db, overdueBefore: number, maxAttempts: number, now: number, limit: number) {
  const overdue = and(eq(webhookDeliveries.status, "pending"), lt(webhookDeliveries.nextAttemptAt, overdueBefore));
  const [, resumed] = await db.batch([
    db
      .update(webhookDeliveries)
      .set({ status: "failed", lastError: "abandoned: no attempt left", updatedAt: now, nextAttemptAt: null })
      .where(and(overdue, sql`${webhookDeliveries.attempts} >= ${maxAttempts}`)),
    db
      .update(webhookDeliveries)
      .set({ nextAttemptAt: now, updatedAt: now })
      .where(inArray(webhookDeliveries.id, db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(overdue).limit(limit)))
      .returning({ id: webhookDeliveries.id, webhookId: webhookDeliveries.webhookId }),
  ]);
  return resumed;
}
