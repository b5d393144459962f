import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody } from "../../platform/openapi";
import { UserId } from "../../platform/schemas";
import { AdminUser, ProvisionUserBody, adminSecurity } from "./admin.schemas";

export const provisionUser = createRoute({
  method: "put",
  path: "/admin/v1/users/{userID}",
  tags: ["Admin"],
  security: adminSecurity,
  summary: "Create or rename a user before their first login",
  request: {
    params: z.object({ userID: UserId.openapi({ param: { name: "userID", in: "path" } }) }),
    body: jsonBody(ProvisionUserBody),
  },
  responses: { 200: json(AdminUser, "The user"), ...errorResponses(400) },
});
