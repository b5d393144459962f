/** Webhook settings in D1: both kinds, for the admin API, the Connecteam API and the dispatcher. */
import { and, asc, count, eq, isNull } from "drizzle-orm";
import type { Db } from "../env";
import { channels, type WebhookRow, webhooks } from "../db/schema";

export type WebhookKind = WebhookRow["kind"];

/** Per kind: keeps the dispatcher's per-isolate list (and so its cost per event) bounded. */
export const MAX_WEBHOOKS_PER_KIND = 100;

const live = (kind: WebhookKind, id?: number) =>
  and(eq(webhooks.kind, kind), isNull(webhooks.deletedAt), ...(id === undefined ? [] : [eq(webhooks.id, id)]));

/** What the dispatcher needs to match an event (never the URL or secret: the consumer reads those fresh). */
export interface Subscription {
  id: number;
  kind: WebhookKind;
  events: string[];
  entityId: string | null;
}

/** Every enabled webhook of both kinds: at most 2 × MAX_WEBHOOKS_PER_KIND rows. */
export async function listSubscriptions(db: Db): Promise<Subscription[]> {
  return db
    .select({ id: webhooks.id, kind: webhooks.kind, events: webhooks.events, entityId: webhooks.entityId })
    .from(webhooks)
    .where(and(isNull(webhooks.deletedAt), eq(webhooks.disabled, false)))
    .limit(2 * MAX_WEBHOOKS_PER_KIND);
}

export async function countWebhooks(db: Db, kind: WebhookKind) {
  const [row] = await db.select({ n: count() }).from(webhooks).where(live(kind));
  return row?.n ?? 0;
}

export async function insertWebhook(db: Db, row: typeof webhooks.$inferInsert) {
  return db.insert(webhooks).values(row).returning().get();
}

export async function getWebhook(db: Db, kind: WebhookKind, id: number) {
  return db.select().from(webhooks).where(live(kind, id)).get();
}

/** Any live webhook, whatever its kind (the operator's delivery log covers both). */
export async function getAnyWebhook(db: Db, id: number) {
  return db.select().from(webhooks).where(and(eq(webhooks.id, id), isNull(webhooks.deletedAt))).get();
}

/** Oldest first; `featureType` is always "chat" here, so the Connecteam filter is all or nothing. */
export async function listWebhooks(db: Db, kind: WebhookKind, limit = MAX_WEBHOOKS_PER_KIND, offset = 0) {
  return db.select().from(webhooks).where(live(kind)).orderBy(asc(webhooks.id)).limit(limit).offset(offset);
}

export type WebhookChanges = Partial<Pick<WebhookRow, "name" | "url" | "events" | "secret" | "entityId" | "disabled">>;

export async function updateWebhook(db: Db, kind: WebhookKind, id: number, changes: WebhookChanges, now: number) {
  const rows = await db
    .update(webhooks)
    .set({ ...changes, updatedAt: now })
    .where(live(kind, id))
    .returning();
  return rows[0];
}

/** Marks it deleted: no new deliveries, pending ones stop; the cron removes its log, then the row. */
export async function deleteWebhook(db: Db, kind: WebhookKind, id: number, now: number) {
  const rows = await db.update(webhooks).set({ deletedAt: now, updatedAt: now }).where(live(kind, id)).returning({ id: webhooks.id });
  return rows.length > 0;
}

/** A conversation a Connecteam webhook may be scoped to: any live channel. */
export async function channelExists(db: Db, id: string) {
  return (await db.select({ id: channels.id }).from(channels).where(and(eq(channels.id, id), isNull(channels.deletedAt))).get()) !== undefined;
}
