import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, userSecurity as security, withErrorCodes } from "../../platform/openapi";
import { PushSubscription, SubscribeBody, SubscriptionParams, VapidPublicKey } from "./push.schemas";

const tags = ["Push"];

export const vapidPublicKey = createRoute({
  method: "get",
  path: "/v1/push/vapid-public-key",
  tags,
  security,
  summary: "The server's VAPID public key (the browser's applicationServerKey)",
  description:
    "Pass it to `registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey })`, then post the subscription to `POST /v1/push/subscriptions`. " +
    "503 `PUSH_NOT_CONFIGURED` when the server has no `VAPID_PRIVATE_KEY`.",
  responses: { 200: json(VapidPublicKey, "The key"), ...withErrorCodes(["PUSH_NOT_CONFIGURED"]) },
});

export const subscribe = createRoute({
  method: "post",
  path: "/v1/push/subscriptions",
  tags,
  security,
  summary: "Subscribe this browser to pushes (201), or move an endpoint that exists to you (200)",
  description:
    "The body is the browser's `PushSubscription.toJSON()`. The endpoint must be `https` and public, with the webhook targets' address rules (no loopback, private, link-local or reserved addresses, no credentials); " +
    "while `DEV_LOGIN=true`, `http` and loopback are allowed for local push-service stand-ins. `keys.p256dh` must be a P-256 public key and `keys.auth` 16 octets (400 `VALIDATION_FAILED`). " +
    "The same endpoint again updates its keys and moves it to the caller (one browser, one account at a time): 200. A user keeps at most 20 subscriptions; a 21st drops the oldest. " +
    "Who gets a push, and when: see the API guide's Push notifications section.",
  request: { body: jsonBody(SubscribeBody) },
  responses: { 201: json(PushSubscription, "Subscribed"), 200: json(PushSubscription, "Already known: updated, and now yours"), ...errorResponses(400) },
});

export const listSubscriptions = createRoute({
  method: "get",
  path: "/v1/push/subscriptions",
  tags,
  security,
  summary: "Your push subscriptions, oldest first",
  description: "Every browser subscribed under your account (keys are not shown). A subscription the push service reported gone (404/410) is deleted and no longer listed.",
  responses: { 200: json(z.array(PushSubscription), "Your subscriptions"), ...errorResponses() },
});

export const unsubscribe = createRoute({
  method: "delete",
  path: "/v1/push/subscriptions/{subscriptionID}",
  tags,
  security,
  summary: "Delete one of your push subscriptions (sign-out does this for its browser)",
  description: "404 `NOT_FOUND` when you have no subscription by that id.",
  request: { params: SubscriptionParams },
  responses: { 204: { description: "Deleted" }, ...errorResponses(404) },
});
