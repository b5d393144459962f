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
  },
  (t) => [
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
  },
  (t) => [primaryKey({ columns: [t.channelId, t.userId] }), index("channel_members_user").on(t.userId)],
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
