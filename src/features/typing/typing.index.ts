import { createRouter } from "../../app";
import * as handlers from "./typing.handlers";
import * as routes from "./typing.routes";

export const typingRouter = createRouter()
  .openapi(routes.startTyping, handlers.startTyping)
  .openapi(routes.whoIsTyping, handlers.whoIsTyping);
