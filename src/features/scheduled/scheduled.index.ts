import { createRouter } from "../../app";
import * as handlers from "./scheduled.handlers";
import * as routes from "./scheduled.routes";

export const scheduledRouter = createRouter()
  .openapi(routes.listScheduled, handlers.listScheduled)
  .openapi(routes.editScheduled, handlers.editScheduled)
  .openapi(routes.cancelScheduled, handlers.cancelScheduled);
