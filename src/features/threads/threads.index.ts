import { createRouter } from "../../app";
import * as handlers from "./threads.handlers";
import * as routes from "./threads.routes";

export const threadsRouter = createRouter().openapi(routes.listReplies, handlers.listReplies);
