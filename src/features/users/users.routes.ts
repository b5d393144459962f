import { createRoute } from "@hono/zod-openapi";
import { json, userSecurity as security } from "../../platform/openapi";
import { Me } from "./users.schemas";

export const me = createRoute({
  method: "get",
  path: "/v1/users/me",
  tags: ["Users"],
  security,
  summary: "The signed-in user",
  responses: { 200: json(Me, "You") },
});
