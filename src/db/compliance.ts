/**
 * Directory tables of DESIGN §17 (retention, legal holds) and §15's audit log, which §17's actions
 * land in. Kept apart from directory.ts so the compliance features read as one place.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * App-wide settings and cron state, one JSON value per key: `retention_days` (the app default,
 * absent or null = keep forever), `retention_sweep` (the last sweep's report), `retention_cursor`
 * (where an unfinished sweep resumes).
 */
export const appSettings = sqliteTable("app_settings", {
  key: text().primaryKey(),
  value: text({ mode: "json" }),
  updatedAt: integer().notNull(),
});

/** A legal hold (§17): while not released, retention, erasure and users' deletes keep what it covers. */
export const legalHolds = sqliteTable("legal_holds", {
  id: text().primaryKey(),
  name: text().notNull(),
  createdAt: integer().notNull(),
  releasedAt: integer(),
});

/** What a hold covers: every message of a channel, or every message a user sent. */
export const legalHoldTargets = sqliteTable(
  "legal_hold_targets",
  {
    holdId: text().notNull().references(() => legalHolds.id, { onDelete: "cascade" }),
    kind: text({ enum: ["channel", "user"] }).notNull(),
    targetId: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.holdId, t.kind, t.targetId] }), index("legal_hold_targets_target").on(t.kind, t.targetId)],
);

/**
 * The audit log (§15): appended to, never updated, by every moderation and compliance action. An
 * erased user's id is replaced by a pseudonym (`erased_<hash>`) in the entries that name them.
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text().primaryKey(),
    at: integer().notNull(),
    /** "admin", "system" (the cron) or a user id. */
    actor: text().notNull(),
    action: text().notNull(),
    targetUserId: text(),
    channelId: text(),
    messageId: text(),
    reason: text(),
    details: text({ mode: "json" }).notNull().default(sql`'{}'`),
  },
  (t) => [
    index("audit_log_action").on(t.action, t.id),
    index("audit_log_target").on(t.targetUserId, t.id),
    index("audit_log_channel").on(t.channelId, t.id),
    index("audit_log_actor").on(t.actor, t.id),
  ],
);

/**
 * Erased users (DESIGN §17), keyed by pseudonym (`erased_<hmac of the id>`, src/features/erasure/
 * pseudonym.ts), so that later tokens for the same `sub` are refused without keeping the id itself.
 * `userId` is kept only while work remains (the erasure is running, or held messages wait for their
 * hold's release); it is nulled when the erasure is done.
 */
export const erasures = sqliteTable(
  "erasures",
  {
    pseudonym: text().primaryKey(),
    userId: text(),
    messages: text({ enum: ["delete", "keep"] }).notNull(),
    /** running: steps remain; held: only messages under a legal hold remain (the cron retries); done. */
    status: text({ enum: ["running", "held", "done"] }).notNull(),
    /** "admin" or "self" (DELETE /v1/users/me). */
    requestedBy: text().notNull(),
    requestedAt: integer().notNull(),
    finishedAt: integer(),
  },
  (t) => [index("erasures_unfinished").on(t.status).where(sql`status != 'done'`)],
);

/**
 * Exports (DESIGN §17): what was asked, and how far the job got. The job writes one NDJSON part per
 * run to R2 (`exports/<id>/part-<n>.ndjson`) and moves `cursor` on in the same conditional update,
 * so a queue message delivered twice writes the same part again and only one run goes on.
 */
export const exportsTable = sqliteTable(
  "exports",
  {
    id: text().primaryKey(),
    /** "admin", or the user id who asked for their own export (`/v1`). */
    requestedBy: text().notNull(),
    /** Channels to export; null: a user's export (their channels, messages and reactions). */
    channelIds: text({ mode: "json" }).$type<string[]>(),
    /** The user a user export is about, or the sender a channel export is narrowed to. */
    userId: text(),
    /** Message id bounds (from `from`/`to`, and the request's time so later messages are not included). */
    fromId: text().notNull(),
    toId: text().notNull(),
    status: text({ enum: ["queued", "running", "done", "failed"] }).notNull(),
    /** Where the next run resumes: the step (see src/features/exports/steps.ts) and the last row's key. */
    cursor: text({ mode: "json" }).$type<{ step: number; after: string | null }>().notNull(),
    parts: integer().notNull().default(0),
    messages: integer().notNull().default(0),
    lines: integer().notNull().default(0),
    error: text(),
    createdAt: integer().notNull(),
    finishedAt: integer(),
  },
  (t) => [index("exports_requested_by").on(t.requestedBy, t.id)],
);
