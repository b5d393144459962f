/**
 * What webhooks carry. Both kinds are fed by the same internal events — the `/v1` WebSocket events
 * as `publish` sends them, plus `channel_create`, which has no WebSocket event (nobody is subscribed
 * to a channel that did not exist) but is Connecteam's `conversation_created`.
 */
import { SEQUENCED_TYPES, type SequencedType } from "../room/protocol";

/** The events an app webhook subscribes to (every `/v1` event that changes state), or "*". */
export const APP_EVENTS = SEQUENCED_TYPES;
export type AppEvent = SequencedType;

/** Connecteam's chat webhook events (featureType "chat"). */
export const CHAT_EVENTS = ["message_created", "message_updated", "message_deleted", "conversation_created", "conversation_updated", "conversation_deleted"] as const;
export type ChatEventType = (typeof CHAT_EVENTS)[number];

export type EventType = SequencedType | "channel_create";

/** One committed change, as the webhooks see it. `data` is the WebSocket event's `data`. */
export interface ChatEvent {
  /** Snowflake: sortable, so receivers can order what retries delivered out of order. */
  id: string;
  type: EventType;
  channelId: string;
  data: unknown;
  /** Unix ms of the commit. */
  at: number;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** The app webhook body: `{"id","type","created_at","channel_id","data"}`. */
export const appBody = (e: ChatEvent) => JSON.stringify({ id: e.id, type: e.type, created_at: seconds(e.at), channel_id: e.channelId, data: e.data });

type Json = Record<string, unknown>;

/** Connecteam ids are integers: a numeric user id, or the n of publisher `pub_<n>`; else null. */
function integrationId(id: unknown): number | null {
  const digits = typeof id === "string" ? (id.match(/^pub_(\d{1,15})$/)?.[1] ?? id) : undefined;
  return digits !== undefined && /^\d{1,15}$/.test(digits) ? Number(digits) : null;
}

function messageData(m: Json, withContent: boolean): Json {
  const base: Json = {
    conversationId: m.channel_id,
    messageId: m.id,
    senderId: integrationId(m.sender_id),
    senderType: m.sender_type,
    senderName: m.sender_name,
    createdAt: m.created_at,
  };
  if (!withContent) return base; // as the reference's message_deleted: content & attachments omitted
  const attachments = Array.isArray(m.attachments) ? (m.attachments as Json[]) : [];
  return {
    ...base,
    text: m.body,
    attachments: attachments.map((a) => ({
      type: a.width === undefined ? "file" : "image",
      fileId: a.asset_id,
      fileName: a.filename,
      fileType: a.content_type,
      fileSize: a.size_bytes,
    })),
    editedAt: m.edited_at ?? null,
  };
}

/** A channel as Connecteam names it: DMs are "private", broadcast channels "channel", the rest "team". */
function conversationData(c: Json): Json {
  return {
    conversationId: c.id,
    title: c.name,
    conversationType: c.type === "dm" ? "private" : c.broadcast ? "channel" : "team",
    isLocked: c.broadcast === true,
    isArchived: c.archived === true,
  };
}

const MEMBER_CHANGES: Partial<Record<EventType, string>> = { member_add: "member_added", member_update: "member_role_changed", member_remove: "member_removed" };

/** The Connecteam event for an internal one (reactions have none), with `activityType` (the entity) and `data`. */
export function chatEvent(e: ChatEvent): { eventType: ChatEventType; activityType: "message" | "conversation"; data: Json } | undefined {
  const d = (e.data ?? {}) as Json;
  switch (e.type) {
    case "message":
      return { eventType: "message_created", activityType: "message", data: messageData(d, true) };
    case "message_update":
      return { eventType: "message_updated", activityType: "message", data: messageData(d, true) };
    case "message_delete":
      return { eventType: "message_deleted", activityType: "message", data: messageData(d, false) };
    case "channel_create":
      return { eventType: "conversation_created", activityType: "conversation", data: conversationData(d) };
    case "channel_update":
      return { eventType: "conversation_updated", activityType: "conversation", data: { ...conversationData(d), change: "settings" } };
    case "member_add":
    case "member_update":
    case "member_remove":
      return {
        eventType: "conversation_updated",
        activityType: "conversation",
        data: { conversationId: e.channelId, change: MEMBER_CHANGES[e.type], userId: integrationId(d.user_id), role: d.role ?? null },
      };
    case "channel_delete":
      return { eventType: "conversation_deleted", activityType: "conversation", data: { conversationId: e.channelId } };
    default:
      return undefined;
  }
}

/**
 * The Connecteam webhook body (the reference's ChatWebhookResponse): `requestId` is the delivery
 * id (X-Webhook-Id), `company` the deployment's COMPANY_ID; `evnetTimestamp` (sic) is the
 * reference's deprecated, still required, copy of `eventTimestamp`.
 */
export function connecteamBody(e: ChatEvent, deliveryId: string, company: string): string | undefined {
  const mapped = chatEvent(e);
  if (!mapped) return undefined;
  const t = seconds(e.at);
  return JSON.stringify({ requestId: deliveryId, company, activityType: mapped.activityType, eventTimestamp: t, evnetTimestamp: t, eventType: mapped.eventType, data: mapped.data });
}
