import { depsOf } from "../../platform/context";
import { ApiError } from "../../platform/errors";
import type { AppRouteHandler } from "../../platform/openapi";
import { deleteSubscription, listSubscriptions as list, upsertSubscription } from "../../push/subscriptions.queries";
import { vapidOf } from "../../push/vapid";
import { subscriptionKeys } from "../../push/web-push-crypto";
import { targetProblem } from "../../platform/outbound-targets";
import type * as routes from "./push.routes";
import { subscriptionJson } from "./push.schemas";

const invalid = (path: string, message: string) => new ApiError("VALIDATION_FAILED", message, [{ in: "json", path, code: "custom", message }]);

export const vapidPublicKey: AppRouteHandler<typeof routes.vapidPublicKey> = async (c) => {
  const keys = await vapidOf(c.env);
  if (!keys) throw new ApiError("PUSH_NOT_CONFIGURED", "Push notifications are not set up on this server: VAPID_PRIVATE_KEY is missing or not a P-256 private key");
  return c.json({ public_key: keys.publicKey }, 200);
};

export const subscribe: AppRouteHandler<typeof routes.subscribe> = async (c) => {
  const body = c.req.valid("json");
  const problem = targetProblem(body.endpoint, c.env.DEV_LOGIN === "true");
  if (problem) throw invalid("endpoint", problem.replace(/^url/, "endpoint"));
  if (!subscriptionKeys(body.keys.p256dh.replace(/=+$/, ""), body.keys.auth.replace(/=+$/, ""))) {
    throw invalid("keys", "keys.p256dh must be a 65-octet P-256 public key and keys.auth a 16-octet secret, both base64url");
  }
  const { db } = depsOf(c);
  const { row, created } = await upsertSubscription(
    db,
    { id: `ps_${crypto.randomUUID().replaceAll("-", "")}`, userId: c.get("user").id, endpoint: body.endpoint, p256dh: body.keys.p256dh.replace(/=+$/, ""), auth: body.keys.auth.replace(/=+$/, ""), expiresAt: body.expirationTime ?? null },
    Date.now(),
  );
  return created ? c.json(subscriptionJson(row), 201) : c.json(subscriptionJson(row), 200);
};

export const listSubscriptions: AppRouteHandler<typeof routes.listSubscriptions> = async (c) =>
  c.json((await list(c.get("db"), c.get("user").id)).map(subscriptionJson), 200);

export const unsubscribe: AppRouteHandler<typeof routes.unsubscribe> = async (c) => {
  if (!(await deleteSubscription(c.get("db"), c.get("user").id, c.req.valid("param").subscriptionID))) throw new ApiError("NOT_FOUND", "Push subscription not found");
  return c.body(null, 204);
};
