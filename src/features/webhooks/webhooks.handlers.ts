import type { DeliveryRow, WebhookRow } from "../../db/schema";
import type { Env } from "../../env";
import { ApiError } from "../../platform/errors";
import type { AppRouteHandler } from "../../platform/openapi";
import { seconds } from "../../platform/schemas";
import { listDeliveries as readDeliveries } from "../../webhooks/deliveries.queries";
import { forgetSubscriptions } from "../../webhooks/dispatch";
import { targetProblem } from "../../platform/outbound-targets";
import * as q from "../../webhooks/webhooks.queries";
import type * as routes from "./webhooks.routes";

const notFound = () => new ApiError("NOT_FOUND", "Webhook not found");
const invalid = (path: string, message: string) => new ApiError("VALIDATION_FAILED", message, [{ in: "json", path, code: "custom", message }]);

function checkUrl(env: Env, url: string) {
  const problem = targetProblem(url, env.DEV_LOGIN === "true");
  if (problem) throw invalid("url", problem);
}

/** "*" alone stands for everything; a list with it is the same subscription. */
const normalise = (events: string[]) => (events.includes("*") ? ["*"] : [...new Set(events)]);

export const webhookJson = (w: WebhookRow) => ({
  id: w.id,
  url: w.url,
  events: w.events,
  has_secret: w.secret !== null,
  disabled: w.disabled,
  created_at: seconds(w.createdAt),
  updated_at: seconds(w.updatedAt),
});

const deliveryJson = (d: DeliveryRow) => ({
  id: d.id,
  event: d.event,
  status: d.status,
  attempts: d.attempts,
  last_status_code: d.lastStatusCode,
  last_error: d.lastError,
  created_at: seconds(d.createdAt),
  updated_at: seconds(d.updatedAt),
  next_attempt_at: d.nextAttemptAt === null ? null : seconds(d.nextAttemptAt),
  attempt_log: d.log,
});

export const createWebhook: AppRouteHandler<typeof routes.createWebhook> = async (c) => {
  const db = c.get("db");
  const { url, events, secret } = c.req.valid("json");
  checkUrl(c.env, url);
  if ((await q.countWebhooks(db, "app")) >= q.MAX_WEBHOOKS_PER_KIND) {
    throw new ApiError("VALIDATION_FAILED", `At most ${q.MAX_WEBHOOKS_PER_KIND} app webhooks; delete one first`);
  }
  const now = Date.now();
  const row = await q.insertWebhook(db, { kind: "app", url, events: normalise(events), secret: secret ?? null, createdAt: now, updatedAt: now });
  forgetSubscriptions();
  return c.json(webhookJson(row), 201);
};

export const listWebhooks: AppRouteHandler<typeof routes.listWebhooks> = async (c) =>
  c.json({ webhooks: (await q.listWebhooks(c.get("db"), "app")).map(webhookJson) }, 200);

export const getWebhook: AppRouteHandler<typeof routes.getWebhook> = async (c) => {
  const row = await q.getWebhook(c.get("db"), "app", Number(c.req.valid("param").id));
  if (!row) throw notFound();
  return c.json(webhookJson(row), 200);
};

export const updateWebhook: AppRouteHandler<typeof routes.updateWebhook> = async (c) => {
  const { url, events, secret, disabled } = c.req.valid("json");
  if (url !== undefined) checkUrl(c.env, url);
  const row = await q.updateWebhook(
    c.get("db"),
    "app",
    Number(c.req.valid("param").id),
    { url, events: events && normalise(events), secret, disabled },
    Date.now(),
  );
  if (!row) throw notFound();
  forgetSubscriptions();
  return c.json(webhookJson(row), 200);
};

export const deleteWebhook: AppRouteHandler<typeof routes.deleteWebhook> = async (c) => {
  if (!(await q.deleteWebhook(c.get("db"), "app", Number(c.req.valid("param").id), Date.now()))) throw notFound();
  forgetSubscriptions();
  return c.body(null, 204);
};

export const listDeliveries: AppRouteHandler<typeof routes.listDeliveries> = async (c) => {
  const db = c.get("db");
  const id = Number(c.req.valid("param").id);
  const { limit, before } = c.req.valid("query");
  if (!(await q.getAnyWebhook(db, id))) throw notFound();
  const page = await readDeliveries(db, id, limit, before);
  return c.json({ deliveries: page.deliveries.map(deliveryJson), has_more: page.hasMore }, 200);
};
