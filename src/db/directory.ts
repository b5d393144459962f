/**
 * The directory (the `DB` D1 database, migrations in drizzle/): users, channels, members, blocks,
 * uploads, keys, publishers, shards. Message history lives in the history shards (history.ts).
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// Times are stored as unix milliseconds; the API shows unix seconds.
const nowMs = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

export const users = sqliteTable("users", {
  id: text().primaryKey(), // the token's `sub`, or `pub_<n>` for publishers
  displayName: text().notNull(),
  kind: text({ enum: ["user", "publisher"] }).notNull().default("user"),
  createdAt: integer().notNull().default(nowMs),
  updatedAt: integer().notNull().default(nowMs),
});

export const channels = sqliteTable(
  "channels",
  {
    id: text().primaryKey(),
    type: text({ enum: ["dm", "group", "room"] }).notNull(),
    name: text().notNull().default(""),
    ownerId: text().references(() => users.id, { onDelete: "set null" }),
    broadcast: integer({ mode: "boolean" }).notNull().default(false),
    archived: integer({ mode: "boolean" }).notNull().default(false),
    /** "<low id> <high id>" for a DM, so each pair has at most one (unique index). */
    dmKey: text(),
    memberCount: integer().notNull().default(0),
    createdAt: integer().notNull(),
    /** Creation or the newest message: the channel list's sort key. */
    lastActivityAt: integer().notNull(),
    /** Messages ever sent here; each message takes the next `position` (unread counts are differences). */
    lastPosition: integer().notNull().default(0),
    lastMessageAt: integer(),
    /**
     * Set when the channel is deleted: from then on it is not found, and its history is purged in
     * bounded chunks (a channel with a million messages cannot go in one statement); the row goes last.
     */
    deletedAt: integer(),
    /** The history shard (a D1 binding name) holding this channel's messages; chosen at creation. */
    shard: text().notNull().default("HISTORY_0"),
  },
  (t) => [
    index("channels_shard").on(t.shard),
    uniqueIndex("channels_dm_key").on(t.dmKey),
    index("channels_rooms").on(t.type, t.archived, t.id),
  ],
);

export const channelMembers = sqliteTable(
  "channel_members",
  {
    channelId: text().notNull().references(() => channels.id, { onDelete: "cascade" }),
    userId: text().notNull().references(() => users.id, { onDelete: "cascade" }),
    role: text({ enum: ["owner", "admin", "member"] }).notNull().default("member"),
    hidden: integer({ mode: "boolean" }).notNull().default(false),
    joinedAt: integer().notNull(),
    lastReadMessageId: text(),
    /** `position` of the last read message: unread = positions after it, less own and deleted ones. */
    readPosition: integer().notNull().default(0),
    readUpdatedAt: integer(),
    /**
     * The member's own messages after their cursor, counted when the cursor is moved back ("mark
     * unread"); sending moves the cursor and resets it. Unread counts subtract it without reading history.
     */
    ownAfter: integer().notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.userId] }),
    index("channel_members_user").on(t.userId),
    // Member lists page in join order.
    index("channel_members_joined").on(t.channelId, t.joinedAt, t.userId),
  ],
);

export const userBlocks = sqliteTable(
  "user_blocks",
  {
    blockerId: text().notNull().references(() => users.id, { onDelete: "cascade" }),
    blockedId: text().notNull().references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.blockerId, t.blockedId] }), index("user_blocks_blocked").on(t.blockedId)],
);

export type UserRow = typeof users.$inferSelect;
export type ChannelRow = typeof channels.$inferSelect;
export type MemberRow = typeof channelMembers.$inferSelect;
export type ChannelType = ChannelRow["type"];
export type MemberRole = MemberRow["role"];

/** An upload. `pending` until its bytes arrive (signed PUT), `complete` when usable in a message. */
export const attachments = sqliteTable(
  "attachments",
  {
    id: text().primaryKey(), // the asset id
    ownerId: text().notNull(), // the uploading user (or `pub_<n>` for an integration's upload)
    filename: text().notNull(),
    contentType: text().notNull(),
    sizeBytes: integer().notNull(), // announced while pending, actual once stored
    width: integer(),
    height: integer(),
    isImage: integer({ mode: "boolean" }).notNull().default(false),
    /** pending → (receiving, while its one-time PUT streams) → complete; deleted with its message. */
    status: text({ enum: ["pending", "receiving", "complete", "deleted"] }).notNull(),
    createdAt: integer().notNull(),
    /** The message using it: set by one conditional write, so an upload is single-use even under races. */
    messageId: text(),
  },
  (t) => [index("attachments_created").on(t.createdAt), index("attachments_message").on(t.messageId)],
);

/**
 * Positions of deleted messages, per channel: unread counts subtract the ones after a reader's
 * cursor (not the reader's own) by reading only these rows, never history.
 */
export const deletedPositions = sqliteTable(
  "deleted_positions",
  {
    channelId: text().notNull().references(() => channels.id, { onDelete: "cascade" }),
    position: integer().notNull(),
    senderId: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.position] })],
);

/** History shards: new channels go to the open shard holding the fewest channels. */
export const shards = sqliteTable("shards", {
  name: text().primaryKey(), // the D1 binding, e.g. HISTORY_0
  open: integer({ mode: "boolean" }).notNull().default(true),
  channels: integer().notNull().default(0),
});

export type AttachmentRow = typeof attachments.$inferSelect;

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
