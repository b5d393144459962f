import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../app";
import { provisionUser } from "../db/queries/users";
import { ApiError } from "../lib/errors";
import { UserId, errorResponses, json, jsonBody } from "../schemas/common";
import { AdminUser, ProvisionUserBody } from "../schemas/users";

/** Operator endpoints, behind ADMIN_TOKEN (mounted with requireAdmin in src/index.ts). */
export const adminRouter = createRouter();

adminRouter.openapi(
  createRoute({
    method: "put",
    path: "/admin/v1/users/{userID}",
    tags: ["Admin"],
    security: [{ adminToken: [] }],
    summary: "Create or rename a user before their first login",
    request: {
      params: z.object({ userID: UserId.openapi({ param: { name: "userID", in: "path" } }) }),
      body: jsonBody(ProvisionUserBody),
    },
    responses: { 200: json(AdminUser, "The user"), ...errorResponses(400) },
  }),
  async (c) => {
    const { userID } = c.req.valid("param");
    if (userID.startsWith("pub_")) throw new ApiError("VALIDATION_FAILED", "pub_ ids belong to publishers");
    const row = await provisionUser(c.get("db"), userID, c.req.valid("json").display_name);
    return c.json({ id: row.id, display_name: row.displayName, kind: row.kind }, 200);
  },
);
