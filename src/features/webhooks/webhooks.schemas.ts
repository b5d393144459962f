import { z } from "@hono/zod-openapi";
import { UnixSeconds } from "../../platform/schemas";
import { APP_EVENTS } from "../../webhooks/events";

export const EventName = z.enum([...APP_EVENTS, "*"]).openapi({ description: "A `/v1` event type, or \"*\" for all of them" });

const Url = z.string().min(1).max(2048).openapi({
  format: "uri",
  example: "https://hooks.example.com/chat",
  description: "https, on a public host (not loopback, private, link-local or reserved addresses); http to loopback only with DEV_LOGIN=true",
});
const Events = z.array(EventName).min(1).max(APP_EVENTS.length + 1).openapi({ example: ["message", "message_update", "message_delete"] });
const Secret = z.string().min(1).max(256).openapi({ description: "HMAC-SHA256 key of X-Webhook-Signature (never shown again)", example: "whsec_5f2b8c1e9a7d4036b1e8f0c2d9a4e7b3" });

export const CreateWebhookBody = z.object({ url: Url, events: Events, secret: Secret.optional() }).openapi("CreateWebhook");

export const UpdateWebhookBody = z
  .object({
    url: Url.optional(),
    events: Events.optional(),
    secret: Secret.nullable().optional().openapi({ description: "A new key, or null to stop signing" }),
    disabled: z.boolean().optional().openapi({ description: "A disabled webhook gets no new deliveries; its pending ones fail" }),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: "give url, events, secret or disabled" })
  .openapi("UpdateWebhook");

export const WebhookParams = z.object({ id: z.string().regex(/^\d{1,15}$/, "webhook ids are integers").openapi({ param: { name: "id", in: "path" }, example: "1" }) });

export const Webhook = z
  .object({
    id: z.number().int().openapi({ example: 3 }),
    url: z.string().openapi({ example: "https://hooks.example.com/chat" }),
    events: z.array(z.string()).openapi({ example: ["message", "message_update", "message_delete"] }),
    has_secret: z.boolean().openapi({ description: "Deliveries carry X-Webhook-Signature (the secret itself is never shown)" }),
    disabled: z.boolean(),
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
  })
  .openapi("Webhook");

export const WebhookList = z.object({ webhooks: z.array(Webhook) }).openapi("WebhookList");

export const DeliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50).openapi({ example: 20 }),
  before: z.string().regex(/^\d{19}$/, "a delivery id").optional().openapi({ description: "Only deliveries older than this one (paging)", example: "1234567890123456801" }),
});

const Attempt = z.object({
  attempt: z.number().int().openapi({ example: 1 }),
  at: UnixSeconds,
  status_code: z.number().int().nullable().openapi({ example: 503, description: "The receiver's status, null when there was no answer" }),
  error: z.string().nullable().openapi({ example: "HTTP 503", description: "Why the attempt failed (timeout, refused connection, status); null on success" }),
  duration_ms: z.number().int().openapi({ example: 84 }),
});

export const Delivery = z
  .object({
    id: z.string().openapi({ description: "X-Webhook-Id: the same on every attempt", example: "1234567890123456801" }),
    event: z.string().openapi({ example: "message" }),
    status: z.enum(["pending", "succeeded", "failed"]).openapi({ example: "succeeded" }),
    attempts: z.number().int().openapi({ example: 2, description: "Attempts so far (at most 5)" }),
    last_status_code: z.number().int().nullable().openapi({ example: 200 }),
    last_error: z.string().nullable().openapi({ example: null }),
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
    next_attempt_at: UnixSeconds.nullable(),
    attempt_log: z.array(Attempt).openapi({
      description: "Every attempt so far, oldest first",
      example: [
        { attempt: 1, at: 1735732800, status_code: 503, error: "HTTP 503", duration_ms: 84 },
        { attempt: 2, at: 1735732860, status_code: 200, error: null, duration_ms: 61 },
      ],
    }),
  })
  .openapi("WebhookDelivery");

export const DeliveryList = z
  .object({ deliveries: z.array(Delivery), has_more: z.boolean().openapi({ description: "Older deliveries follow: ask with before = the last id" }) })
  .openapi("WebhookDeliveryList");
