import { RESERVED_ID_PREFIXES, isReservedUserId } from "../../platform/auth";
import { ApiError } from "../../platform/errors";
import type { AppRouteHandler } from "../../platform/openapi";
import { signUserToken } from "../../platform/tokens";
import type * as routes from "./dev.routes";

/** Local development only (DEV_LOGIN=true): mint a user token without an identity provider. */
export const devToken: AppRouteHandler<typeof routes.devToken> = async (c) => {
  if (c.env.DEV_LOGIN !== "true") throw new ApiError("NOT_FOUND", "No route for POST /v1/dev/token");
  if (!c.env.JWT_SECRET || c.env.JWT_JWKS_URL) throw new ApiError("NOT_FOUND", "Dev login needs HS256 tokens");
  const { sub, name } = c.req.valid("json");
  if (isReservedUserId(sub)) throw new ApiError("VALIDATION_FAILED", `ids starting ${RESERVED_ID_PREFIXES.join(" or ")} are reserved`);
  return c.json(await signUserToken(c.env.JWT_SECRET, sub, name), 200);
};
