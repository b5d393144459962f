/**
 * The audit log's writer (DESIGN §15): append-only. The minimal part the compliance actions of §17
 * need; moderation (§15) appends through the same function when it lands.
 */
import { auditLog } from "../../db/compliance";
import type { Db } from "../../env";
import { newId } from "../../platform/ids";

export interface AuditEntry {
  actor: string;
  action: string;
  targetUserId?: string | null;
  channelId?: string | null;
  messageId?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
}

/** A batch item appending one entry, so it commits with the change it records. */
export function appendAudit(db: Db, entry: AuditEntry, now = Date.now()) {
  return db.insert(auditLog).values({
    id: newId(now),
    at: now,
    actor: entry.actor,
    action: entry.action,
    targetUserId: entry.targetUserId ?? null,
    channelId: entry.channelId ?? null,
    messageId: entry.messageId ?? null,
    reason: entry.reason ?? null,
    details: entry.details ?? {},
  });
}
