/**
 * Asking for an export and reading its state (DESIGN §17). The request is checked (channels exist,
 * the user exists), recorded with its audit entry in one transaction, then the first run is queued.
 */
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { channels, exportsTable } from "../../db/directory";
import type { Db, Env } from "../../env";
import { ApiError, userNotFound } from "../../platform/errors";
import { idFloorAt, newId } from "../../platform/ids";
import { appendAudit } from "../audit/audit";
import { getUser } from "../users/users.queries";
import { signedPartUrls } from "./files";
import { queueExport } from "./run";

export interface ExportRequest {
  channel_ids?: string[];
  user_id?: string;
  from?: number;
  to?: number;
}

type ExportRow = typeof exportsTable.$inferSelect;

/** Creates an export for `requestedBy` ("admin" or the user exporting their own data) and queues it. */
export async function createExport(env: Env, db: Db, body: ExportRequest, requestedBy: string): Promise<ExportRow> {
  if (body.channel_ids) {
    const found = await db.select({ id: channels.id }).from(channels).where(and(inArray(channels.id, body.channel_ids), isNull(channels.deletedAt)));
    const missing = body.channel_ids.filter((id) => !found.some((c) => c.id === id));
    if (missing.length) throw new ApiError("CHAT_CHANNEL_NOT_FOUND", `Channel not found: ${missing.join(", ")}`);
  } else {
    const user = await getUser(db, body.user_id!);
    if (!user || user.kind !== "user") throw userNotFound(body.user_id!);
  }
  const now = Date.now();
  // Messages sent after the request are not part of it: the export is of what existed when it was asked for.
  const toMs = Math.min(body.to === undefined ? now : (body.to + 1) * 1000, now + 1);
  const row: ExportRow = {
    id: newId(now),
    requestedBy,
    channelIds: body.channel_ids ?? null,
    userId: body.user_id ?? null,
    // Clamped to now: ids stay 19 digits, so they compare as text the way they compare as numbers.
    fromId: idFloorAt(Math.min((body.from ?? 0) * 1000, now)),
    toId: idFloorAt(toMs),
    status: "queued",
    cursor: { step: 0, after: null },
    parts: 0,
    messages: 0,
    lines: 0,
    error: null,
    createdAt: now,
    finishedAt: null,
  };
  const details = { export_id: row.id, channel_ids: body.channel_ids ?? null, from: body.from ?? null, to: body.to ?? null };
  await db.batch([
    db.insert(exportsTable).values(row),
    appendAudit(db, { actor: requestedBy, action: "export.request", targetUserId: body.user_id ?? null, channelId: body.channel_ids?.length === 1 ? body.channel_ids[0] : null, details }, now),
  ]);
  await queueExport(env, row.id);
  return row;
}

/** A user's unfinished export, if any: asking again while one runs answers it instead of starting another. */
export async function unfinishedExportOf(db: Db, userId: string) {
  const [row] = await db.select().from(exportsTable).where(and(eq(exportsTable.requestedBy, userId), inArray(exportsTable.status, ["queued", "running"]))).orderBy(desc(exportsTable.id)).limit(1);
  return row;
}

/** An export as `requestedBy` may see it (admin sees every export; a user only their own): else 404. */
export async function findExport(db: Db, id: string, requestedBy?: string) {
  const [row] = await db.select().from(exportsTable).where(eq(exportsTable.id, id));
  if (!row || (requestedBy !== undefined && row.requestedBy !== requestedBy)) throw new ApiError("NOT_FOUND", "Export not found");
  return row;
}

/** The API's view of an export: signed URLs (fresh on every call) once it is done. */
export async function exportJson(env: Env, origin: string, row: ExportRow) {
  const signed = row.status === "done" ? await signedPartUrls(env, origin, row.id, row.parts) : { urls: [], expires_at: null };
  return { id: row.id, status: row.status, messages: row.messages, parts: row.parts, url: signed.urls[0] ?? null, urls: signed.urls, expires_at: signed.expires_at, error: row.error };
}
