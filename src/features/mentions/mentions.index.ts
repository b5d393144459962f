import { createRouter } from "../../app";
import * as handlers from "./mentions.handlers";
import * as routes from "./mentions.routes";

export const mentionsRouter = createRouter().openapi(routes.listMentions, handlers.listMentions);
