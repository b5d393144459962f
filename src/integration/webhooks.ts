/**
 * Connecteam's webhook settings (`/settings/v1/webhooks`), as its OpenAPI document has them, for
 * the chat feature: the six chat events, delivered by the same engine as app webhooks
 * (src/webhooks) with Connecteam's body `{requestId, company, activityType, eventTimestamp,
 * evnetTimestamp, eventType, data}`. Webhooks are company settings: every API key sees them all.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { WebhookRow } from "../db/schema";
import type { AppEnv } from "../env";
import { ApiError } from "../platform/errors";
import { seconds } from "../platform/schemas";
import { MAX_ATTEMPTS } from "../webhooks/deliver";
import { forgetSubscriptions } from "../webhooks/dispatch";
import { targetProblem } from "../platform/outbound-targets";
import * as q from "../webhooks/webhooks.queries";
import { requireScope } from "./auth";
import { integrationResponses, integrationRouter, invalidAt, ok, security } from "./envelope";
import { LaxInt, Paging } from "./integration.schemas";
import {
  APIResponseV2_PublicBaseWebhookResponse_,
  APIResponseV2_WebhookDeleteResponse_,
  PaginatedBaseResponseV2_WebhookListResponse_,
  WebhookCreateRequest,
  WebhookQuery,
  WebhookUpdateRequest,
} from "./webhooks.schemas";

const tags = ["Integration: Webhooks"];
const FEATURE = "chat";

export const settingsRouter = integrationRouter();
const scopeFor = { GET: requireScope("settings.read"), DELETE: requireScope("settings.delete") } as Record<string, ReturnType<typeof requireScope>>;
const write = requireScope("settings.write");
settingsRouter.use("/settings/v1/*", (c, next) => (scopeFor[c.req.method] ?? write)(c, next));

const Params = z.object({ webhookId: LaxInt().openapi({ param: { name: "webhookId", in: "path" }, type: "integer", description: "The unique identifier of the webhook", example: 17 }) });
const notFound = (id: number) => new ApiError("NOT_FOUND", `Webhook ${id} not found`);

export const publicWebhook = (w: WebhookRow) => ({
  id: w.id,
  name: w.name,
  userId: 0,
  timeCreated: seconds(w.createdAt),
  url: w.url,
  isDisabled: w.disabled,
  featureType: FEATURE,
  entityId: w.entityId,
  objectId: null,
  retryLimit: MAX_ATTEMPTS - 1,
  eventTypes: w.events,
  webhookVersion: 1,
});

/** The URL rule and the conversation scope, answered as FastAPI would (422 at the field), or 404. */
async function checkTarget(c: Context<AppEnv>, input: { url?: string | null; entityId?: string | null; objectId?: number | null }) {
  if (input.url != null) {
    const problem = targetProblem(input.url, c.env.DEV_LOGIN === "true");
    if (problem) throw invalidAt(["body", "url"], `Value error, ${problem}`);
  }
  if (input.entityId == null && input.objectId != null) {
    throw invalidAt(["body", "objectId"], "Value error, conversation ids are strings here: use entityId");
  }
  if (input.entityId != null && !(await q.channelExists(c.get("db"), input.entityId))) {
    throw new ApiError("CHAT_CHANNEL_NOT_FOUND", `Conversation ${input.entityId} not found`);
  }
}

const webhookResponses = (...more: 404[]) => integrationResponses(APIResponseV2_PublicBaseWebhookResponse_, "Successful Response", ...more);

settingsRouter.openapi(
  createRoute({
    method: "post",
    path: "/settings/v1/webhooks",
    tags,
    security: security("settings.write"),
    summary: "Create webhook",
    description:
      "Subscribes a URL to chat events (featureType \"chat\"; entityId scopes it to one conversation). At most 100. " +
      "Needs `settings.write`. Deliveries are POSTs with the reference's ChatWebhookResponse body, signed with `X-Webhook-Signature` when `secretKey` is set, retried up to 4 times over about an hour. " +
      "The URL must be https on a public host (422 at `url`); an unknown `entityId` is 404.",
    request: { body: { required: true, content: { "application/json": { schema: WebhookCreateRequest } } } },
    responses: webhookResponses(404),
  }),
  async (c) => {
    const db = c.get("db");
    const input = c.req.valid("json");
    await checkTarget(c, input);
    if ((await q.countWebhooks(db, "connecteam")) >= q.MAX_WEBHOOKS_PER_KIND) {
      throw invalidAt(["body"], `Value error, at most ${q.MAX_WEBHOOKS_PER_KIND} webhooks; delete one first`);
    }
    const now = Date.now();
    const row = await q.insertWebhook(db, {
      kind: "connecteam",
      name: input.name,
      url: input.url,
      events: [...new Set(input.eventTypes)],
      secret: input.secretKey || null,
      entityId: input.entityId ?? null,
      disabled: input.isDisabled,
      createdBy: c.get("principal").keyId,
      createdAt: now,
      updatedAt: now,
    });
    forgetSubscriptions();
    return ok(c, publicWebhook(row));
  },
);

settingsRouter.openapi(
  createRoute({
    method: "get",
    path: "/settings/v1/webhooks",
    tags,
    security: security("settings.read"),
    summary: "Get webhooks",
    description:
      "The account's webhooks, oldest first; featureType filters (only \"chat\" has any). " +
      "Needs `settings.read`; every key sees every webhook of the company. Secrets are never returned.",
    request: { query: WebhookQuery.extend(Paging.shape) },
    responses: integrationResponses(PaginatedBaseResponseV2_WebhookListResponse_, "Successful Response"),
  }),
  async (c) => {
    const { featureType, limit, offset } = c.req.valid("query");
    const rows = featureType === undefined || featureType === FEATURE ? await q.listWebhooks(c.get("db"), "connecteam", limit, offset) : [];
    return ok(c, { webhooks: rows.map((w) => ({ ...publicWebhook(w), origin: "organic" as const })) }, { offset: offset + rows.length });
  },
);

settingsRouter.openapi(
  createRoute({
    method: "get",
    path: "/settings/v1/webhooks/{webhookId}",
    tags,
    security: security("settings.read"),
    summary: "Get webhook",
    description:
      "One webhook by its id. Needs `settings.read`; an unknown id is 404. " +
      "Its delivery log is visible to operators at `GET /admin/v1/webhooks/{id}/deliveries`.",
    request: { params: Params },
    responses: webhookResponses(404),
  }),
  async (c) => {
    const { webhookId } = c.req.valid("param");
    const row = await q.getWebhook(c.get("db"), "connecteam", webhookId);
    if (!row) throw notFound(webhookId);
    return ok(c, publicWebhook(row));
  },
);

settingsRouter.openapi(
  createRoute({
    method: "put",
    path: "/settings/v1/webhooks/{webhookId}",
    tags,
    security: security("settings.write"),
    summary: "Update Webhook",
    description:
      "Changes the fields given; absent or null fields stay, except secretKey and entityId, which null clears. " +
      "Needs `settings.write`. `isDisabled: true` stops deliveries (pending ones are recorded failed). Changes reach every isolate within 5 seconds.",
    request: { params: Params, body: { required: true, content: { "application/json": { schema: WebhookUpdateRequest } } } },
    responses: webhookResponses(404),
  }),
  async (c) => {
    const db = c.get("db");
    const { webhookId } = c.req.valid("param");
    const input = c.req.valid("json");
    if (!(await q.getWebhook(db, "connecteam", webhookId))) throw notFound(webhookId);
    await checkTarget(c, input);
    const row = await q.updateWebhook(
      db,
      "connecteam",
      webhookId,
      {
        name: input.name ?? undefined,
        url: input.url ?? undefined,
        events: input.eventTypes ? [...new Set(input.eventTypes)] : undefined,
        secret: input.secretKey === undefined ? undefined : input.secretKey || null,
        entityId: input.entityId,
        disabled: input.isDisabled ?? undefined,
      },
      Date.now(),
    );
    if (!row) throw notFound(webhookId);
    forgetSubscriptions();
    return ok(c, publicWebhook(row));
  },
);

settingsRouter.openapi(
  createRoute({
    method: "delete",
    path: "/settings/v1/webhooks/{webhookId}",
    tags,
    security: security("settings.delete"),
    summary: "Delete webhook",
    description:
      "No more deliveries; pending ones stop. Needs `settings.delete`; an unknown id is 404. The answer's `data` is `{}`.",
    request: { params: Params },
    responses: integrationResponses(APIResponseV2_WebhookDeleteResponse_, "Successful Response", 404),
  }),
  async (c) => {
    const { webhookId } = c.req.valid("param");
    if (!(await q.deleteWebhook(c.get("db"), "connecteam", webhookId, Date.now()))) throw notFound(webhookId);
    forgetSubscriptions();
    return ok(c, {});
  },
);
