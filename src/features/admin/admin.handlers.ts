import { RESERVED_ID_PREFIXES, isReservedUserId } from "../../platform/auth";
import { ApiError } from "../../platform/errors";
import type { AppRouteHandler } from "../../platform/openapi";
import { provisionUser as provision } from "../users/users.queries";
import type * as routes from "./admin.routes";

export const provisionUser: AppRouteHandler<typeof routes.provisionUser> = async (c) => {
  const { userID } = c.req.valid("param");
  if (isReservedUserId(userID)) throw new ApiError("VALIDATION_FAILED", `ids starting ${RESERVED_ID_PREFIXES.join(" or ")} are reserved`);
  const row = await provision(c.get("db"), userID, c.req.valid("json").display_name);
  return c.json({ id: row.id, display_name: row.displayName, kind: row.kind }, 200);
};
