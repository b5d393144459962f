/** The `push_subscriptions` table: a user's browsers (DESIGN §16). */
import { and, asc, eq, inArray } from "drizzle-orm";
import { pushSubscriptions, type PushSubscriptionRow } from "../db/directory";
import type { Db } from "../env";

/** Subscriptions kept per user; subscribing past it drops the oldest (a browser that was reinstalled, say). */
export const MAX_SUBSCRIPTIONS_PER_USER = 20;

export interface NewSubscription {
  id: string;
  userId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  expiresAt: number | null;
}

/**
 * Stores the subscription, or updates the one with the same endpoint and moves it to `userId` (one
 * browser, one account at a time). `created`: whether it is new. Then keeps the user's newest 20.
 */
export async function upsertSubscription(db: Db, s: NewSubscription, now: number): Promise<{ row: PushSubscriptionRow; created: boolean }> {
  const [row] = await db
    .insert(pushSubscriptions)
    .values({ ...s, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: { userId: s.userId, p256dh: s.p256dh, auth: s.auth, expiresAt: s.expiresAt, updatedAt: now } })
    .returning();
  const all = await db.select({ id: pushSubscriptions.id }).from(pushSubscriptions).where(eq(pushSubscriptions.userId, s.userId)).orderBy(asc(pushSubscriptions.createdAt));
  if (all.length > MAX_SUBSCRIPTIONS_PER_USER) {
    const drop = all.slice(0, all.length - MAX_SUBSCRIPTIONS_PER_USER).map((r) => r.id).filter((id) => id !== row!.id);
    if (drop.length) await db.delete(pushSubscriptions).where(inArray(pushSubscriptions.id, drop));
  }
  return { row: row!, created: row!.id === s.id };
}

export const listSubscriptions = (db: Db, userId: string) =>
  db.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId)).orderBy(asc(pushSubscriptions.createdAt));

/** Deletes the user's subscription; false when they have none by that id. */
export async function deleteSubscription(db: Db, userId: string, id: string): Promise<boolean> {
  const gone = await db.delete(pushSubscriptions).where(and(eq(pushSubscriptions.id, id), eq(pushSubscriptions.userId, userId))).returning({ id: pushSubscriptions.id });
  return gone.length > 0;
}

/** The push service said the subscription is gone (404/410). */
export const forgetSubscription = (db: Db, id: string) => db.delete(pushSubscriptions).where(eq(pushSubscriptions.id, id));

export async function getSubscription(db: Db, id: string): Promise<PushSubscriptionRow | undefined> {
  return (await db.select().from(pushSubscriptions).where(eq(pushSubscriptions.id, id)))[0];
}

