import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody } from "../../platform/openapi";
import { adminSecurity as security } from "../admin/admin.schemas";
import { CreateWebhookBody, DeliveriesQuery, DeliveryList, UpdateWebhookBody, Webhook, WebhookList, WebhookParams } from "./webhooks.schemas";

const tags = ["Admin: webhooks"];

export const createWebhook = createRoute({
  method: "post",
  path: "/admin/v1/webhooks",
  tags,
  security,
  summary: "Subscribe a URL to `/v1` events (body {id, type, created_at, channel_id, data})",
  description:
    "Operators only (`Bearer <ADMIN_TOKEN>`). Every matching event of every channel is POSTed to the URL as `{id, type, created_at, channel_id, data}`, `data` being exactly the WebSocket event's. " +
    "With a `secret`, each delivery carries `X-Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<raw body>\")>`. " +
    "A non-2xx answer or none within 10 s is retried after 1, 5, 15 and 40 minutes; receivers deduplicate on `X-Webhook-Id`. " +
    "The URL must be https on a public host (400 naming `url` otherwise); at most 100 webhooks.",
  request: { body: jsonBody(CreateWebhookBody) },
  responses: { 201: json(Webhook, "Created"), ...errorResponses(400) },
});

export const listWebhooks = createRoute({
  method: "get",
  path: "/admin/v1/webhooks",
  tags,
  security,
  summary: "The app webhooks (at most 100), oldest first",
  description: "Operators only. Every app webhook with its URL, events and state; secrets are never shown (`has_secret` says whether one is set). Connecteam webhooks are listed by `GET /settings/v1/webhooks`.",
  responses: { 200: json(WebhookList, "Webhooks") },
});

export const getWebhook = createRoute({
  method: "get",
  path: "/admin/v1/webhooks/{id}",
  tags,
  security,
  summary: "One app webhook",
  description: "Operators only. The webhook with this id, or 404 `NOT_FOUND`; the secret is never shown.",
  request: { params: WebhookParams },
  responses: { 200: json(Webhook, "The webhook"), ...errorResponses(400, 404) },
});

export const updateWebhook = createRoute({
  method: "patch",
  path: "/admin/v1/webhooks/{id}",
  tags,
  security,
  summary: "Change the URL, events or secret, or disable it",
  description:
    "Operators only. Changes the fields given: `secret: null` stops signing, `disabled: true` stops new deliveries (pending ones are recorded failed, `webhook disabled`). " +
    "At least one field is required (400). Changes take effect at once in this isolate and within 5 seconds everywhere.",
  request: { params: WebhookParams, body: jsonBody(UpdateWebhookBody) },
  responses: { 200: json(Webhook, "Updated"), ...errorResponses(400, 404) },
});

export const deleteWebhook = createRoute({
  method: "delete",
  path: "/admin/v1/webhooks/{id}",
  tags,
  security,
  summary: "Delete it: no more deliveries (pending ones stop); its log goes with it",
  description: "Operators only. Removes the webhook; deliveries still pending are not sent (recorded failed, `webhook deleted`), and its delivery log is removed by the hourly cleanup.",
  request: { params: WebhookParams },
  responses: { 204: { description: "Deleted" }, ...errorResponses(400, 404) },
});

export const listDeliveries = createRoute({
  method: "get",
  path: "/admin/v1/webhooks/{id}/deliveries",
  tags,
  security,
  summary: "Recent deliveries, newest first, each with its attempts (kept 7 days; Connecteam webhooks' ids too)",
  description:
    "Operators only. The delivery log of an app webhook, or of a Connecteam webhook (`/settings/v1/webhooks`) by its id: status (pending, succeeded, failed), attempt count, last status code or error, and every attempt's time, code and duration. " +
    "Newest first, `limit` per page (default 50, max 100); page with `before` = the last id while `has_more`. Deliveries older than 7 days are deleted.",
  request: { params: WebhookParams, query: DeliveriesQuery },
  responses: { 200: json(DeliveryList, "Deliveries"), ...errorResponses(400, 404) },
});
