import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody } from "../../platform/openapi";
import { UnixSeconds, UserId } from "../../platform/schemas";

export const DevTokenBody = z
  .object({ sub: UserId, name: z.string().trim().min(1).max(100).optional() })
  .openapi("DevTokenRequest");

export const DevToken = z.object({ token: z.string(), expires_at: UnixSeconds }).openapi("DevToken");

export const devToken = createRoute({
  method: "post",
  path: "/v1/dev/token",
  tags: ["Development"],
  summary: "Mint a 24 h user token (only when DEV_LOGIN=true)",
  request: { body: jsonBody(DevTokenBody) },
  responses: { 200: json(DevToken, "A token"), ...errorResponses(400, 404) },
});
