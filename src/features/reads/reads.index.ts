import { createRouter } from "../../app";
import * as handlers from "./reads.handlers";
import * as routes from "./reads.routes";

export const readsRouter = createRouter().openapi(routes.markRead, handlers.markRead).openapi(routes.listReads, handlers.listReads);
