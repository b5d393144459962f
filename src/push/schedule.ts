/**
 * The one call the message path makes for pushes: after a message reached D1 (the room's flush, or a
 * reply's D1-first store), one PUSH queue message. Deciding who gets a push happens in the queue's
 * consumer, off the room. Never throws: a push must not fail what already happened.
 */
import type { Env, PushMessage } from "../env";

/** The fields of the REST message JSON a push uses. */
interface MessageJson {
  id: string;
  channel_id: string;
  parent_id?: string | null;
  sender_id: string;
  sender_name?: string;
  body?: string;
  attachments?: unknown[];
  mentioned_user_ids?: string[];
  deleted?: boolean;
}

export async function queuePush(env: Pick<Env, "PUSH" | "VAPID_PRIVATE_KEY">, message: unknown): Promise<void> {
  const m = message as MessageJson;
  // Without a key there is nothing to sign with; a message deleted before its flush is news to nobody.
  if (!env.VAPID_PRIVATE_KEY || !env.PUSH || !m?.id || m.deleted) return;
  const body: PushMessage = {
    id: m.id,
    channel_id: m.channel_id,
    parent_id: m.parent_id ?? null,
    sender_id: m.sender_id,
    sender_name: m.sender_name ?? m.sender_id,
    body: m.body ?? "",
    attachments: m.attachments?.length ?? 0,
    mentioned_user_ids: m.mentioned_user_ids ?? [],
  };
  try {
    await env.PUSH.send({ kind: "message", message: body }, { contentType: "json" });
  } catch (err) {
    console.error(JSON.stringify({ level: "warn", push: "queue refused", channel_id: m.channel_id, message_id: m.id, error: String(err) }));
  }
}
