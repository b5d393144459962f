import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody } from "../../platform/openapi";
import { UnixSeconds, UserId } from "../../platform/schemas";

export const DevTokenBody = z
  .object({ sub: UserId.openapi({ example: "alice" }), name: z.string().trim().min(1).max(100).optional().openapi({ example: "Alice Martin", description: "Display name (the token's `name` claim)" }) })
  .openapi("DevTokenRequest");

export const DevToken = z
  .object({
    token: z.string().openapi({
      example: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsIm5hbWUiOiJBbGljZSBNYXJ0aW4iLCJleHAiOjE3MzU4MTkyMDB9.Qm9wZm9yZXhhbXBsZW9ubHlub3RhcmVhbHNpZw",
      description: "An HS256 user JWT: send it as Authorization: Bearer <token>",
    }),
    expires_at: UnixSeconds,
  })
  .openapi("DevToken");

export const devToken = createRoute({
  method: "post",
  path: "/v1/dev/token",
  tags: ["Development"],
  summary: "Mint a 24 h user token (only when DEV_LOGIN=true)",
  description:
    "Local development only: with `DEV_LOGIN=true` anyone may call it, without authentication, and get a 24 h HS256 token for any user id (`sub`) and display name. " +
    "Otherwise, or when tokens are verified against a JWKS instead of `JWT_SECRET`, it answers 404 like any unknown path. Never enable it in production. " +
    "Ids starting `pub_` or `apikey_` are reserved (400).",
  request: { body: jsonBody(DevTokenBody) },
  responses: { 200: json(DevToken, "A token"), ...errorResponses(400, 404) },
});
