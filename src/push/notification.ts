/**
 * The notification of one message (DESIGN §16): `{"type":"message","channel_id","message_id",
 * "sender_name","title","body"}`, at most 3 KB before encryption, `body` cut to 200 characters
 * (attachments say so); `Urgency: high` for DMs and mentions; one `Topic` per channel, so a push
 * service that still holds an earlier one replaces it.
 */
import type { PushMessage, PushNotification } from "../env";
import { toBase64Url } from "../platform/base64url";

export const MAX_PAYLOAD_BYTES = 3072;
export const MAX_BODY_CHARS = 200;

/** Cut to `max` characters (code points, so no emoji is split), "…" marking the cut. */
function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

function bodyOf(message: PushMessage): string {
  const files = message.attachments;
  const text = message.body.replace(/\s+/g, " ").trim();
  if (!files) return cut(text, MAX_BODY_CHARS);
  const note = files === 1 ? "📎 1 attachment" : `📎 ${files} attachments`;
  return text ? cut(`${note} · ${text}`, MAX_BODY_CHARS) : note;
}

/** RFC 8030 §5.4: a Topic is at most 32 base64url characters; a hash of the channel id always fits. */
export async function topicOf(channelId: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`channel:${channelId}`));
  return toBase64Url(hash).slice(0, 32);
}

export interface ChannelInfo {
  type: "dm" | "group" | "room";
  name: string;
}

/** The payload shared by every recipient of `message` but for urgency, which depends on the recipient. */
export async function notificationOf(message: PushMessage, channel: ChannelInfo, highUrgency: boolean): Promise<PushNotification> {
  const payload = {
    type: "message",
    channel_id: message.channel_id,
    message_id: message.id,
    sender_name: cut(message.sender_name, 100),
    // A DM is titled by the other person; a channel by its name.
    title: cut(channel.type === "dm" || !channel.name ? message.sender_name : channel.name, 100),
    body: bodyOf(message),
  };
  let text = JSON.stringify(payload);
  // Names are bounded above, the body to 200 characters: only pathological escaping gets here.
  while (new TextEncoder().encode(text).length > MAX_PAYLOAD_BYTES && payload.body.length > 0) {
    payload.body = cut(payload.body, Math.floor([...payload.body].length / 2));
    text = JSON.stringify(payload);
  }
  return { payload: text, urgency: highUrgency ? "high" : "normal", topic: await topicOf(message.channel_id) };
}
