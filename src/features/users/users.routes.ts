import { createRoute } from "@hono/zod-openapi";
import { json, userSecurity as security } from "../../platform/openapi";
import { Me } from "./users.schemas";

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
