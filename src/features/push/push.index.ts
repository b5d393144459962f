import { createRouter } from "../../app";
import * as handlers from "./push.handlers";
import * as routes from "./push.routes";

/** Web Push subscriptions (DESIGN §16); sending lives in src/push. */
export const pushRouter = createRouter()
  .openapi(routes.vapidPublicKey, handlers.vapidPublicKey)
  .openapi(routes.subscribe, handlers.subscribe)
  .openapi(routes.listSubscriptions, handlers.listSubscriptions)
  .openapi(routes.unsubscribe, handlers.unsubscribe);
