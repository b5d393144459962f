/**
 * The audit log (DESIGN §15): every moderation action, appended in the same directory batch as the
 * action itself (so an action never lands without its entry, nor an entry without its action), and
 * never rewritten — the table refuses UPDATE and DELETE by trigger, but for erasure's pseudonyms (drizzle/0021). The entry shape is
 * §15's exactly; another branch (retention/erasure, §17) appends through the same shape.
 */
import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import { auditLog } from "../../db/compliance";

type AuditRow = typeof auditLog.$inferSelect;
import type { Db } from "../../env";
import { seconds } from "../../platform/schemas";

export { appendAudit, type AuditEntry } from "../audit/audit";

/** Moderation's actions (§15); §17's retention and erasure append theirs (`retention.*`, `legal_hold.*`, `user.erase*`). */
export const AUDIT_ACTIONS = ["ban", "unban", "mute", "unmute", "slow_mode", "report_resolve", "blocklist_update", "app_ban", "app_unban", "message_delete"] as const;

export interface AuditFilter {
  actor?: string;
  target?: string;
  action?: string;
  channelId?: string;
  before?: string;
  limit: number;
}

/** Newest first, keyset-paged by id (`before`); each filter uses its index. */
export async function listAudit(db: Db, f: AuditFilter) {
  const where: SQL[] = [];
  if (f.actor) where.push(eq(auditLog.actor, f.actor));
  if (f.target) where.push(eq(auditLog.targetUserId, f.target));
  if (f.action) where.push(eq(auditLog.action, f.action));
  if (f.channelId) where.push(eq(auditLog.channelId, f.channelId));
  if (f.before) where.push(lt(auditLog.id, f.before));
  const rows = await db.select().from(auditLog).where(and(...where)).orderBy(desc(auditLog.id)).limit(f.limit + 1);
  return { entries: rows.slice(0, f.limit).map(auditJson), has_more: rows.length > f.limit };
}

export function auditJson(r: AuditRow) {
  return {
    id: r.id,
    at: seconds(r.at),
    actor: r.actor,
    action: r.action,
    target_user_id: r.targetUserId,
    channel_id: r.channelId,
    message_id: r.messageId,
    reason: r.reason,
    details: (r.details as Record<string, unknown> | null) ?? null,
  };
}
