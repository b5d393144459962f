/**
 * Erasure (DESIGN §17) reaches exports: those a user asked for (a copy of their data) and those an
 * operator made about them go, parts and rows, a few at a time. Channel exports that merely contain
 * their messages are copies handed out, like a client's cache (docs/retention.md).
 */
import { eq, inArray, or } from "drizzle-orm";
import { exportsTable } from "../../db/directory";
import type { Db, Env } from "../../env";
import { partKey } from "./files";

/** Removes up to `limit` exports by or about the user; returns how many (call until 0). */
export async function removeExportsOf(env: Env, db: Db, userId: string, limit = 20) {
  const rows = await db
    .select({ id: exportsTable.id, parts: exportsTable.parts })
    .from(exportsTable)
    .where(or(eq(exportsTable.requestedBy, userId), eq(exportsTable.userId, userId)))
    .limit(limit);
  if (rows.length === 0) return 0;
  // R2 deletes at most 1,000 keys per call.
  const keys = rows.flatMap((r) => Array.from({ length: r.parts }, (_, i) => partKey(r.id, i + 1)));
  for (let i = 0; i < keys.length; i += 1000) await env.ATTACHMENTS.delete(keys.slice(i, i + 1000));
  await db.delete(exportsTable).where(inArray(exportsTable.id, rows.map((r) => r.id)));
  return rows.length;
}
