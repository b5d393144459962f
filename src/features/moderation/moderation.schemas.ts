import { z } from "@hono/zod-openapi";
import { Snowflake, UnixSeconds, UserId } from "../../platform/schemas";
import { ChannelParams } from "../channels/channels.schemas";
import { AUDIT_ACTIONS } from "./audit";

/** Limits (DESIGN §15; docs/api-guide.md's limits table): a mute lasts 1 s – 28 days, a timed ban up to a year, a reason 500 characters. */
export const MAX_MUTE_S = 28 * 24 * 3600;
export const MAX_BAN_S = 365 * 24 * 3600;
export const MAX_REASON = 500;

export const TargetParams = ChannelParams.extend({ userID: UserId.openapi({ param: { name: "userID", in: "path" } }) });

const Reason = z.string().trim().min(1).max(MAX_REASON);

export const BanBody = z
  .object({
    user_id: UserId.openapi({ example: "bob", description: "Who is banned: a member, a former member or anyone (a ban keeps them out of a room before they join)" }),
    reason: Reason.optional().openapi({ example: "Spam links after two warnings", description: `At most ${MAX_REASON} characters; shown to moderators and in the audit log` }),
    duration_s: z.number().int().min(1).max(MAX_BAN_S).optional().openapi({ example: 86400, description: "Seconds until the ban ends by itself (at most a year); absent: until lifted" }),
  })
  .openapi("BanRequest");

export const Ban = z
  .object({
    channel_id: Snowflake,
    user_id: z.string().openapi({ example: "bob" }),
    banned_by: z.string().openapi({ example: "alice", description: 'The moderator, or "admin" for the app\'s moderators' }),
    reason: z.string().nullable().openapi({ example: "Spam links after two warnings" }),
    created_at: UnixSeconds,
    expires_at: UnixSeconds.nullable().openapi({ example: 1735819200, description: "null: until lifted" }),
  })
  .openapi("Ban");

export const MuteBody = z
  .object({
    user_id: UserId.openapi({ example: "bob", description: "A member (or a publisher) of the channel" }),
    duration_s: z.number().int().min(1).max(MAX_MUTE_S).openapi({ example: 600, description: "1 s – 28 days" }),
  })
  .openapi("MuteRequest");

export const Mute = z
  .object({
    channel_id: Snowflake,
    user_id: z.string().openapi({ example: "bob" }),
    muted_by: z.string().openapi({ example: "alice" }),
    expires_at: UnixSeconds.openapi({ example: 1735733400 }),
  })
  .openapi("Mute");

export const BanList = z.object({ bans: z.array(Ban) }).openapi("BanList");
export const MuteList = z.object({ mutes: z.array(Mute) }).openapi("MuteList");

export const AuditEntry = z
  .object({
    id: Snowflake,
    at: UnixSeconds,
    actor: z.string().openapi({ example: "alice", description: 'A user id, "admin" (the admin API) or "system" (the blocklist)' }),
    // A string, not an enum: §17's retention and erasure append their own actions to the same log.
    action: z.string().openapi({ example: "ban", description: `One of ${AUDIT_ACTIONS.join(", ")}, or §17's retention.set, retention.channel_set, retention.sweep, legal_hold.create, legal_hold.release, user.erase, user.erase_held, user.erase_done` }),
    target_user_id: z.string().nullable().openapi({ example: "bob" }),
    channel_id: z.string().nullable().openapi({ example: "1843027512262930432" }),
    message_id: z.string().nullable().openapi({ example: null }),
    reason: z.string().nullable().openapi({ example: "Spam links after two warnings" }),
    details: z.record(z.string(), z.unknown()).nullable().openapi({ example: { duration_s: 86400, expires_at: 1735819200 } }),
  })
  .openapi("AuditEntry");

export const AuditPage = z.object({ entries: z.array(AuditEntry), has_more: z.boolean() }).openapi("AuditPage");

export const AuditQuery = z.object({
  actor: z.string().max(128).optional().openapi({ example: "alice" }),
  target: z.string().max(128).optional().openapi({ example: "bob", description: "The target user's id" }),
  action: z.string().max(64).optional().openapi({ example: "ban" }),
  before: Snowflake.optional().openapi({ description: "Entry id cursor: entries older than it (the last id of the previous page)" }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const AdminAuditQuery = AuditQuery.extend({ channel_id: Snowflake.optional() });
