import { createRouter } from "../../app";
import * as handlers from "./messages.handlers";
import * as routes from "./messages.routes";

export const messagesRouter = createRouter()
  .openapi(routes.listMessages, handlers.listMessages)
  .openapi(routes.sendMessage, handlers.sendMessage)
  .openapi(routes.editMessage, handlers.editMessage)
  .openapi(routes.deleteMessage, handlers.deleteMessage);
