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
  /** Do not disturb until this time (ms): no pushes before it (DESIGN §16). */
  dndUntil: integer(),
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
     * The newest room stamp whose coalesced update this row has had (src/room/directory-updates.ts):
     * updates arrive through a queue, late and more than once; a test or operator waits on this.
     */
    appliedStamp: integer().notNull().default(0),
    /**
     * Set when the channel is deleted: from then on it is not found, and its history is purged in
     * bounded chunks (a channel with a million messages cannot go in one statement); the row goes last.
     */
    deletedAt: integer(),
    /** The history shard (a D1 binding name) holding this channel's messages; chosen at creation. */
    shard: text().notNull().default("HISTORY_0"),
    /** Days its messages are kept (DESIGN §17); null: the app default (src/db/compliance.ts, `app_settings`). */
    retentionDays: integer(),
    /** Slow mode (DESIGN §15): seconds a plain member waits between top-level messages; 0 = off. */
    slowModeS: integer().notNull().default(0),
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
    /**
     * The room stamp of the last cursor move: a queued update (a send moving its sender's cursor)
     * applies only above it, so it never undoes a later "mark unread".
     */
    cursorStamp: integer().notNull().default(0),
    /** Push level for this channel; null: the default (`all` in DMs and groups of at most 10, else `mentions`). */
    notifications: text({ enum: ["all", "mentions", "none"] }),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.userId] }),
    index("channel_members_user").on(t.userId),
    // A message to a large channel finds who asked for every message here, not by walking its members.
    index("channel_members_notify_all").on(t.channelId, t.userId).where(sql`notifications = 'all'`),
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
    /**
     * pending → (receiving, while its bytes stream: a signed PUT, or a direct upload's reservation)
     * → complete; deleted with its message, or when the cron retires it as an orphan.
     */
    status: text({ enum: ["pending", "receiving", "complete", "deleted"] }).notNull(),
    createdAt: integer().notNull(),
    /** The message using it: set by one conditional write, so an upload is single-use even under races. */
    messageId: text(),
  },
  (t) => [
    index("attachments_created").on(t.createdAt),
    index("attachments_message").on(t.messageId),
    // A user's unused uploads, for the pending-upload limits: rows read are the user's unused uploads only.
    index("attachments_owner_unused").on(t.ownerId).where(sql`message_id IS NULL`),
  ],
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

/**
 * Who is mentioned where: an index of the history shards' `mentioned_user_ids`, kept in the directory
 * so the channel list counts unread mentions in the same single query as unread messages (rows read:
 * the caller's unread mentions, never history). One row per (message, mentioned member).
 */
export const mentions = sqliteTable(
  "mentions",
  {
    userId: text().notNull(),
    channelId: text().notNull().references(() => channels.id, { onDelete: "cascade" }),
    messageId: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channelId, t.messageId] }), index("mentions_user_message").on(t.userId, t.messageId)],
);

/**
 * A user's sockets as the rest of the system needs to know them without asking their UserHub:
 * `hubActiveUntil` is far in the future while a user socket is open and two minutes after the last
 * one closed (a message is handed to the hub only while it is set and in the future); `online` is
 * true while the user has any socket (user or channel) open: presence.
 */
export const userSockets = sqliteTable(
  "user_sockets",
  {
    userId: text().primaryKey(),
    hubActiveUntil: integer().notNull().default(0),
    online: integer({ mode: "boolean" }).notNull().default(false),
    updatedAt: integer().notNull(),
  },
  // A message to a large channel walks the connected users (this index), not its members.
  (t) => [index("user_sockets_hub_active").on(t.hubActiveUntil)],
);

/**
 * Room calls the JOBS queue gave up on (src/realtime/dead-letters.ts): kept here, in the order they
 * died, until their room takes them. D1 rather than the dead-letter queue alone because a queue has
 * no way to list what it holds (the operator's `GET /admin/v1/dead-letters`), and because a channel's
 * later calls must wait behind them, which needs a lookup by channel.
 */
export const deadLetters = sqliteTable(
  "dead_letters",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    channelId: text().notNull(),
    /** The call's event id: the room deduplicates on it, and a call is stored once. */
    eventId: text().notNull().unique(),
    /** The RoomCall as it travelled through the queue (JSON). */
    call: text({ mode: "json" }).notNull(),
    deadSince: integer().notNull(),
    /** Failed attempts of the dead-letter consumer while this call was first of its channel (sets the backoff). */
    attempts: integer().notNull().default(0),
    /** When the drain that failed on this call tries again (ms): a drain that arrives much earlier stands aside. */
    retryAt: integer().notNull().default(0),
    lastError: text(),
  },
  (t) => [index("dead_letters_channel").on(t.channelId, t.id)],
);

export * from "./compliance";
/**
 * Link previews by URL (src/previews/cache.ts), shared by every channel for 24 h: a link posted again
 * within a day costs no fetch. `preview` null: the page gave none (not HTML, too slow, refused…),
 * remembered too, so a dead link is not fetched again and again.
 */
export const linkPreviewCache = sqliteTable("link_preview_cache", {
  url: text().primaryKey(),
  fetchedAt: integer().notNull(),
  preview: text({ mode: "json" }).$type<import("./history").LinkPreview | null>(),
});
/**
 * Browsers' Web Push subscriptions (DESIGN §16). One endpoint belongs to one user at a time:
 * subscribing it again moves it. The keys are the browser's (`p256dh`, `auth`), base64url.
 */
export const pushSubscriptions = sqliteTable(
  "push_subscriptions",
  {
    id: text().primaryKey(),
    userId: text().notNull().references(() => users.id, { onDelete: "cascade" }),
    endpoint: text().notNull(),
    p256dh: text().notNull(),
    auth: text().notNull(),
    /** The browser's `expirationTime` (ms), if it gave one; past it the subscription is not used. */
    expiresAt: integer(),
    createdAt: integer().notNull(),
    updatedAt: integer().notNull(),
  },
  (t) => [uniqueIndex("push_subscriptions_endpoint").on(t.endpoint), index("push_subscriptions_user").on(t.userId)],
);

/**
 * Coalescing of pushes per user and channel: `until` ends the window opened by the last push sent;
 * `pending` is the latest notification held back meanwhile (JSON), sent when the window ends.
 */
export const pushWindows = sqliteTable(
  "push_windows",
  {
    userId: text().notNull(),
    channelId: text().notNull(),
    until: integer().notNull(),
    pending: text(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channelId] })],
);

export type PushSubscriptionRow = typeof pushSubscriptions.$inferSelect;

/**
 * Scheduled messages (DESIGN §18), as their authors list them. The channel's room holds each one too
 * and decides everything about it (src/room/scheduled/): it writes this row when it accepts one,
 * changes it on an edit or a failure, and deletes it once the message is sent or cancelled.
 * `status` failed: refused at its time, with the refusal's code (kept until the author deletes it).
 */
export const scheduledMessages = sqliteTable(
  "scheduled_messages",
  {
    id: text().primaryKey(),
    channelId: text().notNull(),
    authorId: text().notNull(),
    body: text().notNull(),
    inlineEmotes: text({ mode: "json" }).notNull().$type<import("./history").InlineEmote[]>(),
    attachments: text({ mode: "json" }).notNull().$type<import("./history").StoredAttachment[]>(),
    mentionedUserIds: text({ mode: "json" }).notNull().$type<string[]>(),
    parentId: text(),
    unfurl: integer({ mode: "boolean" }).notNull().default(true),
    sendAt: integer().notNull(),
    status: text({ enum: ["pending", "failed"] }).notNull().default("pending"),
    failureCode: text(),
    createdAt: integer().notNull(),
    updatedAt: integer().notNull(),
  },
  (t) => [index("scheduled_messages_author").on(t.authorId, t.sendAt), index("scheduled_messages_channel").on(t.channelId)],
);
export type ScheduledMessageRow = typeof scheduledMessages.$inferSelect;

/**
 * Reminders (DESIGN §18), as their owners list them. The user's hub holds each one too and fires it
 * on its alarm (src/realtime/reminders.ts); a reminder that fired is deleted here.
 */
export const reminders = sqliteTable(
  "reminders",
  {
    id: text().primaryKey(),
    userId: text().notNull(),
    channelId: text().notNull(),
    messageId: text(),
    text: text(),
    remindAt: integer().notNull(),
    createdAt: integer().notNull(),
  },
  (t) => [index("reminders_user").on(t.userId, t.remindAt)],
);
export type ReminderRow = typeof reminders.$inferSelect;
