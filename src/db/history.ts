/**
 * History shards (HISTORY_* D1 databases, migrations in drizzle/history): messages and everything that
 * hangs off them. No foreign keys to the directory: they are other databases.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Who deleted a message (the tombstone's `deleted_by`). */
export type DeletedBy = "author" | "moderator" | "retention";

export interface InlineEmote {
  shortcode: string;
  asset_id: string;
  start_index: number;
  end_index: number;
}

export interface StoredAttachment {
  asset_id: string;
  filename: string;
  content_type: string;
  size_bytes: number;
  width?: number;
  height?: number;
}

/** A link preview as a message shows it (DESIGN §18); `image_url` is a signed path on this API's origin. */
export interface LinkPreview {
  url: string;
  title: string | null;
  description: string | null;
  site_name: string | null;
  image_url: string | null;
}

/**
 * A message's link previews and what made them (src/previews): the links they were fetched for
 * (an edit that keeps them fetches nothing), those a moderator removed (never fetched again for this
 * message), and `off` when the sender opted out (`"unfurl": false`).
 */
export interface LinkPreviewState {
  links: string[];
  previews: LinkPreview[];
  removed?: string[];
  off?: true;
}

export const messages = sqliteTable(
  "messages",
  {
    id: text().primaryKey(),
    channelId: text().notNull(),
    /**
     * Per-channel, gap-free, handed out by the directory's channel row (channels.last_position), for
     * top-level messages only: replies take none (they never count as unread, never move a cursor).
     */
    position: integer(),
    /** The thread's root (one level: a reply to a reply joins the root), null for a top-level message. */
    parentId: text(),
    /** On a root: its live replies (a deleted reply leaves the count), and when the newest live one came. */
    replyCount: integer().notNull().default(0),
    lastReplyAt: integer(),
    senderId: text().notNull(),
    body: text().notNull().default(""),
    attachments: text({ mode: "json" }).$type<StoredAttachment[]>().notNull().default(sql`'[]'`),
    inlineEmotes: text({ mode: "json" }).$type<InlineEmote[]>().notNull().default(sql`'[]'`),
    /** Members it mentions (never the sender); the directory's `mentions` index counts them. */
    mentionedUserIds: text({ mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    pinnedAt: integer(),
    pinnedBy: text(),
    createdAt: integer().notNull(),
    editedAt: integer(),
    deletedAt: integer(),
    /** Who made the tombstone (DESIGN §15): its author, a channel or app moderator, or the retention sweep. */
    deletedBy: text().$type<DeletedBy>(),
    /** Null until previews were looked for (most messages have no link: they stay null). */
    linkPreviews: text({ mode: "json" }).$type<LinkPreviewState>(),
  },
  (t) => [
    uniqueIndex("messages_channel_id").on(t.channelId, t.id),
    uniqueIndex("messages_channel_position").on(t.channelId, t.position),
    // Top-level history (parent_id IS NULL) and a thread's replies, both newest first by id.
    index("messages_channel_parent_id").on(t.channelId, t.parentId, t.id),
    // The pins list, most recently pinned first; few rows per channel.
    index("messages_channel_pinned").on(t.channelId, t.pinnedAt).where(sql`pinned_at IS NOT NULL`),
    // Marking a channel unread counts the reader's own messages after the new cursor.
    index("messages_channel_sender_position").on(t.channelId, t.senderId, t.position),
    // Erasure and a user's export (DESIGN §17) walk one sender's messages in every channel, in id order.
    index("messages_sender").on(t.senderId, t.id),
  ],
);

/**
 * Messages of shadow-banned senders (DESIGN §15): kept apart from `messages`, so that nothing
 * anyone else reads (history, threads, search, counts, webhooks, pushes) can ever include them; only
 * their author's own history merges them in. No position, no seq, no mentions.
 */
export const shadowMessages = sqliteTable(
  "shadow_messages",
  {
    id: text().primaryKey(),
    channelId: text().notNull(),
    senderId: text().notNull(),
    parentId: text(),
    body: text().notNull().default(""),
    attachments: text({ mode: "json" }).$type<StoredAttachment[]>().notNull().default(sql`'[]'`),
    inlineEmotes: text({ mode: "json" }).$type<InlineEmote[]>().notNull().default(sql`'[]'`),
    createdAt: integer().notNull(),
  },
  (t) => [index("shadow_messages_sender").on(t.channelId, t.senderId, t.id)],
);

export const reactions = sqliteTable(
  "reactions",
  {
    messageId: text().notNull().references(() => messages.id, { onDelete: "cascade" }),
    emoteAssetId: text().notNull(),
    userId: text().notNull(),
    createdAt: integer().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.messageId, t.emoteAssetId, t.userId] }),
    // The first users of each emote, in order, without reading the rest.
    index("reactions_emote_order").on(t.messageId, t.emoteAssetId, t.createdAt, t.userId),
    // Erasure and a user's export (DESIGN §17) find one user's reactions without a scan.
    index("reactions_user").on(t.userId),
  ],
);

/** Per message and emote: how many reacted and when first. Listing reads these, not every reaction. */
export const reactionCounts = sqliteTable(
  "reaction_counts",
  {
    messageId: text().notNull().references(() => messages.id, { onDelete: "cascade" }),
    emoteAssetId: text().notNull(),
    count: integer().notNull(),
    firstAt: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.emoteAssetId] })],
);

export type MessageRow = typeof messages.$inferSelect;

/**
 * Originals kept by a legal hold (DESIGN §17): when a user edits or deletes a message that an active
 * hold covers, the version being replaced is kept here (users see the edit or the tombstone; exports
 * include these). Goes with its message (retention after the hold's release, a channel's purge, an
 * erasure that deletes), by the foreign key.
 */
export const heldOriginals = sqliteTable(
  "held_originals",
  {
    messageId: text().notNull().references(() => messages.id, { onDelete: "cascade" }),
    /** When this version stopped being current (ms). */
    replacedAt: integer().notNull(),
    reason: text({ enum: ["edit", "delete"] }).notNull(),
    body: text().notNull(),
    attachments: text({ mode: "json" }).$type<StoredAttachment[]>().notNull(),
    inlineEmotes: text({ mode: "json" }).$type<InlineEmote[]>().notNull(),
    /** When this version was written: the message's creation, or its previous edit. */
    versionAt: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.replacedAt] })],
);
