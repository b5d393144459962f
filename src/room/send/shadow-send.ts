/**
 * A shadow-banned sender's message (DESIGN §15): accepted like any other up to the last step, then
 * kept out of everything others see. It takes no position and no seq (nobody sees a gap or an
 * unread), is stored in the shard's `shadow_messages` (never in `messages`, so no history, thread,
 * search, count, webhook or push of anyone else can include it), and reaches only its author's own
 * sockets in this room, as a `message` frame with `seq` null.
 */
import { and, eq } from "drizzle-orm";
import { shadowMessages } from "../../db/history";
import { asMessageRow } from "../../history/shadow";
import type { MessageRow } from "../../history";
import { inForce } from "../../features/moderation/moderation.queries";
import type { PostingVerdict } from "../../features/messages/messages.queries";
import { messageJson } from "../../features/messages/messages.schemas";
import { withSenders } from "../../features/messages/senders";
import type { SendInput, Sending } from "./send-rules";

/** Whether this send is a shadow-banned member's (publishers are not users: they cannot be app-banned). */
export const isShadowed = (input: SendInput, verdict: PostingVerdict, now = Date.now()) => input.poster.kind === "member" && inForce(verdict.access?.standing?.shadowUntil, now);

export async function acceptShadow(s: Sending, row: MessageRow) {
  const { deps, room, fields } = s;
  const inserted = await s.shard.insert(shadowMessages).values({
    id: row.id,
    channelId: row.channelId,
    senderId: row.senderId,
    parentId: row.parentId,
    body: row.body,
    attachments: row.attachments,
    inlineEmotes: row.inlineEmotes,
    createdAt: row.createdAt,
  })
    // A retry with the same Idempotency-Key reuses the id (send.ts): the first message answers it, sent once.
    .onConflictDoNothing()
    .returning({ id: shadowMessages.id });
  if (inserted.length === 0) return { message: await storedShadow(s, row.id), replayed: true };
  if (s.slowMs) room.slowMode.record(fields.senderId, Date.now());
  const message = await shadowJson(s, row);
  await deps.localRoom?.room.sendTo(fields.channelId, fields.senderId, "message", message);
  return { message, replayed: false };
}

/** The shadow message stored under `id` by an earlier attempt (only its author ever sees it). */
async function storedShadow(s: Sending, id: string) {
  const [stored] = await s.shard.select().from(shadowMessages).where(and(eq(shadowMessages.id, id), eq(shadowMessages.senderId, s.fields.senderId)));
  if (!stored) throw new Error(`shadow message ${id} taken by another sender`);
  return shadowJson(s, asMessageRow(stored));
}

/** A shadow message as its author sees it: named, no position. */
async function shadowJson(s: Sending, row: MessageRow) {
  const [named] = await withSenders(s.deps.db, [row]);
  return messageJson({ ...named!, position: null });
}
