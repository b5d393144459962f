/**
 * Resolving reports (DESIGN §15): the action runs through the same room changes a moderator's direct
 * action uses (src/room/changes.ts), so its rights checks, events and audit entry are the same.
 */
import type { ReportRow } from "../../db/moderation";
import type { Deps } from "../../env";
import { ApiError } from "../../platform/errors";
import { inRoom } from "../../room/changes";
import { APP_MODERATOR, loadChannel, refuseDm, requireChannelAdmin } from "../channels/access";
import { appendAudit } from "./audit";
import { type MessageJson, reportJson } from "./reports";
import * as q from "./reports.queries";

export const RESOLVE_ACTIONS = ["dismiss", "delete_message", "mute_user", "ban_user"] as const;
export type ResolveAction = (typeof RESOLVE_ACTIONS)[number];
/** A `mute_user` resolution without `duration_s` mutes for an hour (a ban without one lasts until lifted). */
export const DEFAULT_MUTE_S = 3600;

export interface Resolution {
  action: ResolveAction;
  durationS?: number;
  note?: string;
}

/**
 * Resolves a report: the action runs as if the moderator made it directly (the same room change,
 * with its rights checks and audit entry), then the report is marked resolved with `report_resolve`
 * in the audit log. A report resolved already answers as it is (nothing runs twice).
 * `channelId` set: a channel moderator, for their channel's reports only.
 */
export async function resolveReport(deps: Deps, actor: string, reportId: string, r: Resolution, channelId?: string) {
  const { db } = deps;
  if (channelId !== undefined) {
    const access = await loadChannel(db, channelId, actor);
    refuseDm(access);
    requireChannelAdmin(access, "resolve reports");
  }
  const report = await q.findReport(db, reportId);
  if (!report || (channelId !== undefined && report.channelId !== channelId)) throw new ApiError("CHAT_REPORT_NOT_FOUND", `Report ${reportId} not found`);
  if (report.status === "resolved") return reportJson(report);
  const target = (report.snapshot as MessageJson).sender_id;
  const done = await performAction(deps, actor, report, target, r);
  const now = Date.now();
  const resolution = { action: r.action, note: r.note ?? null, ...done };
  const [[updated]] = await db.batch([
    q.resolveReportRow(db, report.id, actor, resolution, now),
    appendAudit(db, { actor, action: "report_resolve", targetUserId: target, channelId: report.channelId, messageId: report.messageId, reason: r.note ?? null, details: { report_id: report.id, ...resolution } }, now),
  ]);
  return reportJson(updated ?? (await q.findReport(db, report.id))!);
}

async function performAction(deps: Deps, actor: string, report: ReportRow, target: string, r: Resolution): Promise<Record<string, unknown>> {
  const channelId = report.channelId;
  switch (r.action) {
    case "dismiss":
      return {};
    case "delete_message":
      try {
        await inRoom(deps, channelId, "deleteMessage", actor, channelId, report.messageId);
        return { message_deleted: true };
      } catch (err) {
        // Deleted meanwhile (by its author or another moderator): the report still resolves.
        if (err instanceof ApiError && err.code === "CHAT_MESSAGE_NOT_FOUND") return { message_deleted: false };
        throw err;
      }
    case "mute_user": {
      const { mute } = await inRoom(deps, channelId, "muteUser", actor, channelId, target, r.durationS ?? DEFAULT_MUTE_S);
      return { mute };
    }
    case "ban_user": {
      const { ban } = await inRoom(deps, channelId, "banUser", actor, channelId, target, r.note ?? `report ${report.id}`, r.durationS ?? null);
      return { ban };
    }
  }
}

/** The app's queue (any channel) or a channel's (its moderators). */
export async function listReports(deps: Deps, f: q.ReportFilter & { me?: string }) {
  if (f.me !== undefined && f.me !== APP_MODERATOR) {
    const access = await loadChannel(deps.db, f.channelId!, f.me);
    refuseDm(access);
    requireChannelAdmin(access, "read reports");
  }
  const { rows, hasMore } = await q.listReports(deps.db, f);
  return { reports: rows.map(reportJson), has_more: hasMore };
}
