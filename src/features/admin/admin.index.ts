import { createRouter } from "../../app";
import * as handlers from "./admin.handlers";
import * as routes from "./admin.routes";

/** Operator endpoints, behind ADMIN_TOKEN (mounted with requireAdmin in src/index.ts). */
export const adminRouter = createRouter()
  .openapi(routes.provisionUsers, handlers.provisionUsers)
  .openapi(routes.provisionUser, handlers.provisionUser).openapi(routes.roomStats, handlers.roomStats)
  .openapi(routes.assignOwner, handlers.assignOwner);
