import { z } from "@hono/zod-openapi";
import { CHAT_EVENTS } from "../webhooks/events";
import { LaxInt } from "./integration.schemas";

/*
 * Connecteam's webhook settings schemas, under the reference's component names, fields, types,
 * defaults and required lists (test/integration-conformance.test.ts compares them). Only the chat
 * feature exists here, so featureType is "chat" and eventTypes are its six events.
 */

const value = (message: string) => ({ message, params: { type: "value_error" } });

const Url = z.string().min(1).max(2048).openapi({ format: "uri", description: "https on a public host (http to loopback only with DEV_LOGIN=true)", example: "https://hooks.example.com/connecteam" });
const FeatureType = z
  .string()
  .refine((f) => f === "chat", value("Value error, only the chat feature type exists here"))
  .openapi({ description: "Only \"chat\" here", example: "chat" });
const EventTypes = z.array(z.enum(CHAT_EVENTS)).min(1).max(CHAT_EVENTS.length * 2).openapi({ description: `Chat events: ${CHAT_EVENTS.join(", ")}`, example: ["message_created", "conversation_created"] });
const EntityId = z.string().max(64).openapi({ description: "A conversation id: only that conversation's events (null or absent: every conversation)", example: "1234567890123456789" });
const ObjectId = LaxInt().openapi({
  deprecated: true,
  example: null,
  description: "Deprecated: conversation ids here exceed an integer's precision, so only entityId can name one; a non-null objectId without entityId is 422",
});
const Version = LaxInt()
  .refine((v) => v === 1, value("Value error, only webhookVersion 1 exists"))
  .openapi({ type: "integer", description: "Payload schema version: only 1", example: 1 });
const Secret = z.string().max(256).openapi({ description: "HMAC-SHA256 key of X-Webhook-Signature (never returned); \"\" is none", example: "whsec_5f2b8c1e9a7d4036b1e8f0c2d9a4e7b3" });

export const WebhookCreateRequest = z
  .object({
    name: z.string().max(200).openapi({ example: "Chat archive" }),
    url: Url,
    secretKey: Secret.nullable().optional(),
    isDisabled: z.boolean().default(false),
    featureType: FeatureType,
    entityId: EntityId.nullable().optional(),
    objectId: ObjectId.nullable().optional(),
    eventTypes: EventTypes,
    webhookVersion: Version.default(1).openapi({ type: "integer", default: 1 }),
  })
  .openapi("WebhookCreateRequest");

/** Absent or null leaves a field as it is, except secretKey and entityId, where null clears it. */
export const WebhookUpdateRequest = z
  .object({
    name: z.string().max(200).nullable().optional().openapi({ example: "Chat archive" }),
    url: Url.nullable().optional(),
    secretKey: Secret.nullable().optional().openapi({ description: "A new key; null or \"\" stops signing" }),
    isDisabled: z.boolean().nullable().optional().openapi({ example: false }),
    featureType: FeatureType.nullable().optional(),
    entityId: EntityId.nullable().optional().openapi({ description: "A conversation id; null: every conversation" }),
    objectId: ObjectId.nullable().optional(),
    eventTypes: EventTypes.nullable().optional(),
    webhookVersion: Version.nullable().optional(),
  })
  .openapi("WebhookUpdateRequest");

const WebhookFields = {
  id: z.number().int().openapi({ example: 17 }),
  name: z.string().openapi({ example: "Chat archive" }),
  userId: z.number().int().openapi({ description: "Always 0: webhooks here are made by API keys, not users", example: 0 }),
  timeCreated: z.number().int().openapi({ description: "Unix seconds", example: 1735732800 }),
  url: z.string().min(1).openapi({ format: "uri", example: "https://hooks.example.com/connecteam" }),
  isDisabled: z.boolean(),
  featureType: z.string().openapi({ example: "chat" }),
  entityId: z.string().nullable().optional().openapi({ example: null }),
  objectId: z.number().int().nullable().optional().openapi({ deprecated: true, description: "Always null", example: null }),
  retryLimit: z.number().int().openapi({ description: "Retries after the first attempt (4: five attempts over about an hour)", example: 4 }),
  eventTypes: z.array(z.string()).openapi({ example: ["message_created", "conversation_created"] }),
  webhookVersion: z.number().int().optional().openapi({ default: 1, example: 1 }),
};

export const PublicBaseWebhookResponse = z.object(WebhookFields).openapi("PublicBaseWebhookResponse");

export const WebhookOrigin = z.enum(["organic", "integration"]).openapi("WebhookOrigin");

export const WebhookResponse = z
  .object({ ...WebhookFields, origin: WebhookOrigin.optional().openapi({ default: "organic" }) })
  .openapi("WebhookResponse");

export const WebhookListResponse = z.object({ webhooks: z.array(WebhookResponse) }).openapi("WebhookListResponse");

export const WebhookDeleteResponse = z.object({}).openapi("WebhookDeleteResponse");

export const PagingResponseModelV2 = z
  .object({ offset: z.number().int().min(0).openapi({ example: 10 }), total: z.number().int().min(0).nullable().optional().openapi({ example: null }) })
  .openapi("PagingResponseModelV2");

const envelope = { requestId: z.string().optional().openapi({ description: "Always sent", example: "c2f3b3d2-4a7e-4d1a-9c59-0f6b1d2e8a41" }) };

export const APIResponseV2_PublicBaseWebhookResponse_ = z
  .object({ ...envelope, data: PublicBaseWebhookResponse })
  .openapi("APIResponseV2_PublicBaseWebhookResponse_");

export const APIResponseV2_WebhookDeleteResponse_ = z.object({ ...envelope, data: WebhookDeleteResponse }).openapi("APIResponseV2_WebhookDeleteResponse_");

export const PaginatedBaseResponseV2_WebhookListResponse_ = z
  .object({ ...envelope, data: WebhookListResponse, paging: PagingResponseModelV2 })
  .openapi("PaginatedBaseResponseV2_WebhookListResponse_");

export const WebhookQuery = z.object({
  featureType: z
    .string()
    .optional()
    .openapi({ param: { name: "featureType", in: "query" }, description: "The feature type of the webhook; only \"chat\" has any here" }),
});
