import { createRouter } from "../../app";
import * as handlers from "./blocks.handlers";
import * as routes from "./blocks.routes";

export const blocksRouter = createRouter()
  .openapi(routes.listBlocks, handlers.listBlocks)
  .openapi(routes.block, handlers.block)
  .openapi(routes.unblock, handlers.unblock);
