import { createRouter } from "../../app";
import * as handlers from "./retention.handlers";
import * as routes from "./retention.routes";

/** `/admin/v1/retention` and per-channel retention (DESIGN §17), behind ADMIN_TOKEN. */
export const retentionRouter = createRouter()
  .openapi(routes.getAppRetention, handlers.getAppRetention)
  .openapi(routes.putAppRetention, handlers.putAppRetention)
  .openapi(routes.getChannelRetention, handlers.getChannelRetention)
  .openapi(routes.putChannelRetention, handlers.putChannelRetention);
