/** Message rows come from a history shard; their senders' names and kinds from the directory. */
import { inArray } from "drizzle-orm";
import { users } from "../../db/directory";
import type { Db } from "../../env";
import type { MessageRow } from "../../history";

export type Message = MessageRow & { senderName: string; senderKind: "user" | "publisher" };

/** Adds sender names to up to 100 rows (one directory read; the current name, so renames show everywhere). */
export async function withSenders(db: Db, rows: MessageRow[]): Promise<Message[]> {
  const ids = [...new Set(rows.map((r) => r.senderId))];
  const found = ids.length ? await db.select({ id: users.id, name: users.displayName, kind: users.kind }).from(users).where(inArray(users.id, ids)) : [];
  const byId = new Map(found.map((u) => [u.id, u]));
  return rows.map((r) => ({ ...r, senderName: byId.get(r.senderId)?.name ?? r.senderId, senderKind: byId.get(r.senderId)?.kind ?? "user" }));
}
