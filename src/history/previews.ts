/** A message's link previews (src/previews): written in the background, by an edit's refetch, or a moderator's removal. */
import { and, eq, isNull } from "drizzle-orm";
import { type LinkPreviewState, messages } from "../db/history";
import type { HistoryDb } from "../env";

/** Conditional on the message being live: false when it was deleted meanwhile (nothing to show it on). */
export async function setLinkPreviews(db: HistoryDb, channelId: string, messageId: string, state: LinkPreviewState) {
  const rows = await db
    .update(messages)
    .set({ linkPreviews: state })
    .where(and(eq(messages.channelId, channelId), eq(messages.id, messageId), isNull(messages.deletedAt)))
    .returning({ id: messages.id });
  return rows.length > 0;
}
