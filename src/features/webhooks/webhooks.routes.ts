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
  request: { body: jsonBody(CreateWebhookBody) },
  responses: { 201: json(Webhook, "Created"), ...errorResponses(400) },
});

export const listWebhooks = createRoute({
  method: "get",
  path: "/admin/v1/webhooks",
  tags,
  security,
  summary: "The app webhooks (at most 100), oldest first",
  responses: { 200: json(WebhookList, "Webhooks") },
});

export const getWebhook = createRoute({
  method: "get",
  path: "/admin/v1/webhooks/{id}",
  tags,
  security,
  summary: "One app webhook",
  request: { params: WebhookParams },
  responses: { 200: json(Webhook, "The webhook"), ...errorResponses(400, 404) },
});

export const updateWebhook = createRoute({
  method: "patch",
  path: "/admin/v1/webhooks/{id}",
  tags,
  security,
  summary: "Change the URL, events or secret, or disable it",
  request: { params: WebhookParams, body: jsonBody(UpdateWebhookBody) },
  responses: { 200: json(Webhook, "Updated"), ...errorResponses(400, 404) },
});

export const deleteWebhook = createRoute({
  method: "delete",
  path: "/admin/v1/webhooks/{id}",
  tags,
  security,
  summary: "Delete it: no more deliveries (pending ones stop); its log goes with it",
  request: { params: WebhookParams },
  responses: { 204: { description: "Deleted" }, ...errorResponses(400, 404) },
});

export const listDeliveries = createRoute({
  method: "get",
  path: "/admin/v1/webhooks/{id}/deliveries",
  tags,
  security,
  summary: "Recent deliveries, newest first, each with its attempts (kept 7 days; Connecteam webhooks' ids too)",
  request: { params: WebhookParams, query: DeliveriesQuery },
  responses: { 200: json(DeliveryList, "Deliveries"), ...errorResponses(400, 404) },
});
