/**
 * Moderation's tables in the directory (DESIGN §15): per-channel bans and mutes, app-wide bans and
 * reports (the audit log is in compliance.ts, shared with §17). Times are unix ms; `expiresAt` null means until lifted.
 */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { channels } from "./directory";

/** One row per (channel, user); an expired row is replaced by the next ban (the history is the audit log). */
export const channelBans = sqliteTable(
  "channel_bans",
  {
    channelId: text().notNull().references(() => channels.id, { onDelete: "cascade" }),
    userId: text().notNull(),
    bannedBy: text().notNull(),
    reason: text(),
    createdAt: integer().notNull(),
    expiresAt: integer(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.userId] })],
);

export const channelMutes = sqliteTable(
  "channel_mutes",
  {
    channelId: text().notNull().references(() => channels.id, { onDelete: "cascade" }),
    userId: text().notNull(),
    mutedBy: text().notNull(),
    createdAt: integer().notNull(),
    expiresAt: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.userId] })],
);


/** One per reporter per message; `snapshot` is the message as it was when reported (evidence outlives edits). */
export const reports = sqliteTable(
  "reports",
  {
    id: text().primaryKey(),
    channelId: text().notNull(),
    messageId: text().notNull(),
    reporterId: text().notNull(), // a user id, or "system" for the blocklist's flags
    reason: text().notNull(),
    note: text(),
    status: text({ enum: ["open", "resolved"] }).notNull().default("open"),
    snapshot: text({ mode: "json" }).notNull(),
    createdAt: integer().notNull(),
    resolvedAt: integer(),
    resolvedBy: text(),
    resolution: text({ mode: "json" }),
  },
  (t) => [
    uniqueIndex("reports_message_reporter").on(t.messageId, t.reporterId),
    index("reports_status").on(t.status, t.id),
    index("reports_channel").on(t.channelId, t.status, t.id),
  ],
);

/**
 * The app's blocklist (DESIGN §15): one row (id 1), the rules as one JSON array, since they are
 * always read and replaced whole. `version` grows on every PUT: rooms compare it to re-read the rules.
 */
export const blocklist = sqliteTable("blocklist", {
  id: integer().primaryKey(),
  version: integer().notNull(),
  rules: text({ mode: "json" }).notNull(),
  updatedAt: integer().notNull(),
  updatedBy: text().notNull(),
});

/** App-wide bans (the admin API): one row per user; an expired row is replaced by the next ban. */
export const appBans = sqliteTable("app_bans", {
  userId: text().primaryKey(),
  reason: text(),
  shadow: integer({ mode: "boolean" }).notNull().default(false),
  createdAt: integer().notNull(),
  expiresAt: integer(),
});

export type ChannelBanRow = typeof channelBans.$inferSelect;
export type ChannelMuteRow = typeof channelMutes.$inferSelect;
export type ReportRow = typeof reports.$inferSelect;
export type AppBanRow = typeof appBans.$inferSelect;
