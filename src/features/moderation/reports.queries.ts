/** Reports in the directory (DESIGN §15): one per reporter per message, newest first by id. */
import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import { type ReportRow, reports } from "../../db/moderation";
import type { Db } from "../../env";

export type NewReport = typeof reports.$inferInsert;

/** Inserts unless this reporter reported this message before; answers the row that holds (new or first). */
export async function insertReport(db: Db, row: NewReport): Promise<{ report: ReportRow; created: boolean }> {
  const [inserted] = await db.insert(reports).values(row).onConflictDoNothing().returning();
  if (inserted) return { report: inserted, created: true };
  const first = await db.select().from(reports).where(and(eq(reports.messageId, row.messageId), eq(reports.reporterId, row.reporterId))).get();
  return { report: first!, created: false };
}

export const findReport = (db: Db, id: string) => db.select().from(reports).where(eq(reports.id, id)).get();

export interface ReportFilter {
  status?: "open" | "resolved";
  channelId?: string;
  before?: string;
  limit: number;
}

/** Newest first, keyset-paged by id; each filter is served by reports_status or reports_channel. */
export async function listReports(db: Db, f: ReportFilter) {
  const where: SQL[] = [];
  if (f.channelId) where.push(eq(reports.channelId, f.channelId));
  if (f.status) where.push(eq(reports.status, f.status));
  if (f.before) where.push(lt(reports.id, f.before));
  const rows = await db.select().from(reports).where(and(...where)).orderBy(desc(reports.id)).limit(f.limit + 1);
  return { rows: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}

/** Marks an open report resolved; of racing resolutions one changes the row (the others get none back). */
export const resolveReportRow = (db: Db, id: string, by: string, resolution: Record<string, unknown>, now: number) =>
  db
    .update(reports)
    .set({ status: "resolved", resolvedAt: now, resolvedBy: by, resolution })
    .where(and(eq(reports.id, id), eq(reports.status, "open")))
    .returning();
