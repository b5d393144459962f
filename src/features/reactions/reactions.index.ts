import { createRouter } from "../../app";
import * as handlers from "./reactions.handlers";
import * as routes from "./reactions.routes";

export const reactionsRouter = createRouter()
  .openapi(routes.addReaction, handlers.addReaction)
  .openapi(routes.removeReaction, handlers.removeReaction);
