import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, userSecurity as security } from "../../platform/openapi";
import { Me, UpdateMeBody } from "./users.schemas";

export const me = createRoute({
  method: "get",
  path: "/v1/users/me",
  tags: ["Users"],
  security,
  summary: "The signed-in user",
  description:
    "Returns the user the bearer token names: the id is the token's `sub`, the display name its `name` claim. Any valid user token may call it. " +
    "The first request with a new user, or a new name, creates or renames the user row, so this is also a cheap way to register a user before others add them to channels.",
  responses: { 200: json(Me, "You") },
});

export const updateMe = createRoute({
  method: "put",
  path: "/v1/users/me",
  tags: ["Users"],
  security,
  summary: "Do not disturb: no pushes until a time",
  description:
    "`dnd_until` silences push notifications on every device until then (messages still arrive on open sockets and in history); null turns it off. " +
    "A time more than a year ahead, or not RFC 3339, is 400 `VALIDATION_FAILED`.",
  request: { body: jsonBody(UpdateMeBody) },
  responses: { 200: json(Me, "You"), ...errorResponses(400) },
});
