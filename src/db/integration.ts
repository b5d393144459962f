/** Directory tables of the integration API (keys, tokens, usage, publishers) and of outbound webhooks. */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { channels } from "./directory";

/** Integration API keys: only the SHA-256 of the key is stored; the key is shown once. */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text().primaryKey(),
    name: text().notNull(),
    keyHash: text().notNull(),
    scopes: text({ mode: "json" }).$type<string[]>().notNull(),
    createdAt: integer().notNull(),
    lastUsedAt: integer(),
    revokedAt: integer(),
  },
  (t) => [uniqueIndex("api_keys_hash").on(t.keyHash)],
);

/** Custom publishers (bot senders). As users they are `pub_<id>` rows of kind "publisher". */
export const publishers = sqliteTable("publishers", {
  id: integer().primaryKey({ autoIncrement: true }),
  name: text().notNull(),
  imageUrl: text(),
  createdAt: integer().notNull(),
  deletedAt: integer(),
});

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type PublisherRow = typeof publishers.$inferSelect;

/**
 * OAuth 2.0 access tokens of the integration API (client credentials: an API key's id and secret).
 * Opaque random strings; only their SHA-256 is stored. A token acts as its key: the key's scopes
 * (or fewer), its files, and it dies with the key (the lookup joins `api_keys.revoked_at`).
 */
export const oauthTokens = sqliteTable(
  "oauth_tokens",
  {
    tokenHash: text().primaryKey(),
    keyId: text().notNull().references(() => apiKeys.id, { onDelete: "cascade" }),
    scopes: text({ mode: "json" }).$type<string[]>().notNull(),
    createdAt: integer().notNull(),
    expiresAt: integer().notNull(),
  },
  (t) => [index("oauth_tokens_key").on(t.keyId, t.expiresAt)],
);

/**
 * Requests per API key in the current UTC minute and UTC day: one row per key, counted by the
 * same D1 batch that authenticates the request (the x-ratelimit-* headers and their 429s).
 */
export const apiKeyUsage = sqliteTable("api_key_usage", {
  keyId: text().primaryKey().references(() => apiKeys.id, { onDelete: "cascade" }),
  minute: integer().notNull(), // unix minute (ms / 60000)
  minuteCount: integer().notNull(),
  day: integer().notNull(), // unix day, UTC (ms / 86400000)
  dayCount: integer().notNull(),
});

/** What the integration API records about a conversation it created (`conversationSource`, description). */
export const integrationConversations = sqliteTable("integration_conversations", {
  channelId: text().primaryKey().references(() => channels.id, { onDelete: "cascade" }),
  source: text().notNull(),
  description: text({ mode: "json" }).$type<Record<string, unknown>[]>().notNull().default(sql`'[]'`),
  createdAt: integer().notNull(),
});

export type OAuthTokenRow = typeof oauthTokens.$inferSelect;

/**
 * Outbound webhooks (src/webhooks): `app` ones take the `/v1` event bodies (`/admin/v1/webhooks`),
 * `connecteam` ones Connecteam's chat events (`/settings/v1/webhooks`). Deleting one marks it; the
 * hourly cron removes its delivery log in chunks, then the row (a busy webhook's log is large).
 */
export const webhooks = sqliteTable(
  "webhooks",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    kind: text({ enum: ["app", "connecteam"] }).notNull(),
    name: text().notNull().default(""),
    url: text().notNull(),
    events: text({ mode: "json" }).$type<string[]>().notNull(),
    /** HMAC key of X-Webhook-Signature; never shown again. */
    secret: text(),
    /** Connecteam's entityId: only this conversation's events (null: every conversation). */
    entityId: text(),
    disabled: integer({ mode: "boolean" }).notNull().default(false),
    /** The API key that made a connecteam webhook. */
    createdBy: text(),
    createdAt: integer().notNull(),
    updatedAt: integer().notNull(),
    deletedAt: integer(),
  },
  (t) => [index("webhooks_kind").on(t.kind, t.id)],
);

/** One attempt of a delivery, as its log keeps it. */
export interface DeliveryAttempt {
  attempt: number;
  at: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/**
 * One event for one webhook: the exact body (the same bytes on every attempt), its attempts so far
 * and their outcome. The id is X-Webhook-Id, so receivers deduplicate retries on it.
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text().primaryKey(),
    webhookId: integer().notNull().references(() => webhooks.id),
    event: text().notNull(),
    payload: text().notNull(),
    attempts: integer().notNull().default(0),
    status: text({ enum: ["pending", "succeeded", "failed"] }).notNull().default("pending"),
    lastStatusCode: integer(),
    lastError: text(),
    log: text({ mode: "json" }).$type<DeliveryAttempt[]>().notNull().default(sql`'[]'`),
    createdAt: integer().notNull(),
    updatedAt: integer().notNull(),
    /** When the next attempt is due (pending only): the cron re-queues deliveries long overdue. */
    nextAttemptAt: integer(),
  },
  (t) => [
    index("webhook_deliveries_log").on(t.webhookId, t.id),
    index("webhook_deliveries_created").on(t.createdAt),
    index("webhook_deliveries_pending").on(t.nextAttemptAt).where(sql`status = 'pending'`),
  ],
);

export type WebhookRow = typeof webhooks.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
