import { createRouter } from "../../app";
import * as handlers from "./pins.handlers";
import * as routes from "./pins.routes";

export const pinsRouter = createRouter()
  .openapi(routes.listPins, handlers.listPins)
  .openapi(routes.pinMessage, handlers.pinMessage)
  .openapi(routes.unpinMessage, handlers.unpinMessage);
