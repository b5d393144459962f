import { createRouter } from "../../app";
import * as handlers from "./channels.handlers";
import * as routes from "./channels.routes";

export const channelsRouter = createRouter()
  .openapi(routes.listChannels, handlers.listChannels)
  .openapi(routes.createChannel, handlers.createChannel)
  .openapi(routes.getChannel, handlers.getChannel)
  .openapi(routes.updateChannel, handlers.updateChannel)
  .openapi(routes.deleteChannel, handlers.deleteChannel)
  .openapi(routes.listRooms, handlers.listRooms);
