import { createRoute } from "@hono/zod-openapi";
import { createRouter } from "../app";
import { ApiError } from "../lib/errors";
import { signUserToken } from "../lib/tokens";
import { errorResponses, json, jsonBody } from "../schemas/common";
import { DevToken, DevTokenBody } from "../schemas/users";

/** Local development only (DEV_LOGIN=true): mint a user token without an identity provider. */
export const devRouter = createRouter();

devRouter.openapi(
  createRoute({
    method: "post",
    path: "/v1/dev/token",
    tags: ["Development"],
    summary: "Mint a 24 h user token (only when DEV_LOGIN=true)",
    request: { body: jsonBody(DevTokenBody) },
    responses: { 200: json(DevToken, "A token"), ...errorResponses(400, 404) },
  }),
  async (c) => {
    if (c.env.DEV_LOGIN !== "true") throw new ApiError("NOT_FOUND", "No route for POST /v1/dev/token");
    if (!c.env.JWT_SECRET || c.env.JWT_JWKS_URL) throw new ApiError("NOT_FOUND", "Dev login needs HS256 tokens");
    const { sub, name } = c.req.valid("json");
    if (sub.startsWith("pub_")) throw new ApiError("VALIDATION_FAILED", "pub_ ids belong to publishers");
    return c.json(await signUserToken(c.env.JWT_SECRET, sub, name), 200);
  },
);
