/** Originals of held messages (DESIGN §17), on the message's shard: see `heldOriginals`. */
import { asc, inArray } from "drizzle-orm";
import { heldOriginals } from "../db/history";
import type { HistoryDb } from "../env";
import type { MessageRow } from "../db/history";

/** Keeps the version an edit or delete is about to replace. Safe to repeat (same ms, same row). */
export async function keepOriginal(db: HistoryDb, message: MessageRow, reason: "edit" | "delete", now: number) {
  await db
    .insert(heldOriginals)
    .values({ messageId: message.id, replacedAt: now, reason, body: message.body, attachments: message.attachments, inlineEmotes: message.inlineEmotes, versionAt: message.editedAt ?? message.createdAt })
    .onConflictDoNothing();
}

/** The kept originals of these messages, oldest first (for exports). */
export async function originalsOf(db: HistoryDb, messageIds: string[]) {
  if (messageIds.length === 0) return [];
  return db.select().from(heldOriginals).where(inArray(heldOriginals.messageId, messageIds)).orderBy(asc(heldOriginals.messageId), asc(heldOriginals.replacedAt));
}
