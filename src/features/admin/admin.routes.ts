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
  description:
    "Operators only (`Authorization: Bearer <ADMIN_TOKEN>`). Creates the user with this id and display name, or renames an existing one, so they can be added to channels " +
    "(adding a user never seen is 404 `CHAT_USER_NOT_FOUND`) before they first sign in. Ids starting `pub_` or `apikey_` are reserved for the service's own principals (400). " +
    "The user's next token with a different `name` renames them again.",
  request: {
    params: z.object({ userID: UserId.openapi({ param: { name: "userID", in: "path" } }) }),
    body: jsonBody(ProvisionUserBody),
  },
  responses: { 200: json(AdminUser, "The user"), ...errorResponses(400) },
});
