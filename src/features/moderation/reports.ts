/**
 * Reports and their resolution (DESIGN §15). A report keeps the message as it was when reported
 * (`snapshot`), so a later edit or delete does not erase the evidence. Filing runs in the channel's
 * room after the message's flush (src/room/changes.ts), so the snapshot is what subscribers saw.
 * Resolving is in reports-resolve.ts.
 */
import type { ReportRow } from "../../db/moderation";
import type { Deps } from "../../env";
import * as history from "../../history";
import { messageNotFound } from "../../platform/errors";
import { newId } from "../../platform/ids";
import { seconds } from "../../platform/schemas";
import { loadChannel, requireMember } from "../channels/access";
import { messageJson } from "../messages/messages.schemas";
import { withSenders } from "../messages/senders";
import * as q from "./reports.queries";

export type MessageJson = ReturnType<typeof messageJson>;
export const REPORT_REASONS = ["spam", "harassment", "hate", "sexual", "violence", "self_harm", "other"] as const;
/** The reporter of the blocklist's flags. */
export const SYSTEM = "system";

export const reportJson = (r: ReportRow) => ({
  id: r.id,
  channel_id: r.channelId,
  message_id: r.messageId,
  reporter_id: r.reporterId,
  reason: r.reason,
  note: r.note,
  status: r.status,
  message: r.snapshot as MessageJson,
  created_at: seconds(r.createdAt),
  resolved_at: r.resolvedAt === null ? null : seconds(r.resolvedAt),
  resolved_by: r.resolvedBy,
  resolution: (r.resolution as Record<string, unknown> | null) ?? null,
});

/** Any member who can read the message reports it (201), or gets their first report of it again (200). Runs in the room, after the message's flush. */
export async function reportMessage(deps: Deps, me: string, channelId: string, messageId: string, reason: string, note: string | null) {
  const { db } = deps;
  const access = await loadChannel(db, channelId, me);
  requireMember(access);
  const row = await history.getMessage(deps.history(access.channel.shard), access.channel.id, messageId);
  if (!row || row.deletedAt !== null) throw messageNotFound();
  const [snapshot] = await withSenders(db, [row]);
  const now = Date.now();
  const { report, created } = await q.insertReport(db, { id: newId(now), channelId: access.channel.id, messageId, reporterId: me, reason, note, snapshot: messageJson(snapshot!), createdAt: now });
  return { report: reportJson(report), created };
}

/**
 * The blocklist's `flag`: an open report by "system" with reason "blocklist", filed once the message
 * was accepted. Never throws: the message is already posted, and a lost report is logged, not a failed send.
 */
export async function fileBlocklistReport(deps: Deps, message: MessageJson) {
  const now = Date.now();
  try {
    await q.insertReport(deps.db, { id: newId(now), channelId: message.channel_id, messageId: message.id, reporterId: SYSTEM, reason: "blocklist", note: null, snapshot: message, createdAt: now });
  } catch (err) {
    console.error(JSON.stringify({ level: "error", moderation: "blocklist_report", message_id: message.id, error: String(err) }));
  }
}

