import { z } from "@hono/zod-openapi";
import { UnixSeconds } from "../../platform/schemas";
import { APP_EVENTS } from "../../webhooks/events";

export const EventName = z.enum([...APP_EVENTS, "*"]).openapi({ description: "A `/v1` event type, or \"*\" for all of them" });

const Url = z.string().min(1).max(2048).openapi({
  format: "uri",
  example: "https://hooks.example.com/chat",
  description: "https, on a public host (not loopback, private, link-local or reserved addresses); http to loopback only with DEV_LOGIN=true",
});
const Events = z.array(EventName).min(1).max(APP_EVENTS.length + 1);
const Secret = z.string().min(1).max(256).openapi({ description: "HMAC-SHA256 key of X-Webhook-Signature (never shown again)" });

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
    id: z.number().int(),
    url: z.string(),
    events: z.array(z.string()),
    has_secret: z.boolean(),
    disabled: z.boolean(),
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
  })
  .openapi("Webhook");

export const WebhookList = z.object({ webhooks: z.array(Webhook) }).openapi("WebhookList");

export const DeliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  before: z.string().regex(/^\d{19}$/, "a delivery id").optional().openapi({ description: "Only deliveries older than this one (paging)" }),
});

const Attempt = z.object({
  attempt: z.number().int(),
  at: UnixSeconds,
  status_code: z.number().int().nullable(),
  error: z.string().nullable(),
  duration_ms: z.number().int(),
});

export const Delivery = z
  .object({
    id: z.string().openapi({ description: "X-Webhook-Id: the same on every attempt" }),
    event: z.string(),
    status: z.enum(["pending", "succeeded", "failed"]),
    attempts: z.number().int(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
    next_attempt_at: UnixSeconds.nullable(),
    attempt_log: z.array(Attempt).openapi({ description: "Every attempt so far, oldest first" }),
  })
  .openapi("WebhookDelivery");

export const DeliveryList = z
  .object({ deliveries: z.array(Delivery), has_more: z.boolean().openapi({ description: "Older deliveries follow: ask with before = the last id" }) })
  .openapi("WebhookDeliveryList");
