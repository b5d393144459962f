import { createRouter } from "../../app";
import * as handlers from "./webhooks.handlers";
import * as routes from "./webhooks.routes";

/** App webhooks, behind ADMIN_TOKEN (mounted after requireAdmin in src/index.ts); delivery in src/webhooks. */
export const webhooksRouter = createRouter()
  .openapi(routes.createWebhook, handlers.createWebhook)
  .openapi(routes.listWebhooks, handlers.listWebhooks)
  .openapi(routes.getWebhook, handlers.getWebhook)
  .openapi(routes.updateWebhook, handlers.updateWebhook)
  .openapi(routes.deleteWebhook, handlers.deleteWebhook)
  .openapi(routes.listDeliveries, handlers.listDeliveries);
