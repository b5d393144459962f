/** Message rows come from a history shard; their senders' names and kinds from the directory. */
import { inArray } from "drizzle-orm";
import { users } from "../../db/directory";
import type { Db } from "../../env";
import type { MessageRow } from "../../history";
import { recentName, rememberName } from "../../platform/user-names";

export type Message = MessageRow & { senderName: string; senderKind: "user" | "publisher" };

/**
 * Adds sender names to up to 100 rows: the current name, so renames show everywhere; at most one
 * directory read, for the senders this isolate has not read lately (platform/user-names.ts).
 */
export async function withSenders(db: Db, rows: MessageRow[]): Promise<Message[]> {
  const missing = [...new Set(rows.map((r) => r.senderId))].filter((id) => !recentName(id));
  const found = missing.length ? await db.select({ id: users.id, name: users.displayName, kind: users.kind }).from(users).where(inArray(users.id, missing)) : [];
  const byId = new Map(found.map((u) => [u.id, u]));
  for (const u of found) rememberName(u.id, u);
  return rows.map((r) => {
    const sender = byId.get(r.senderId) ?? recentName(r.senderId);
    return { ...r, senderName: sender?.name ?? r.senderId, senderKind: sender?.kind ?? "user" };
  });
}
