import { createRouter } from "../../app";
import * as handlers from "./dev.handlers";
import * as routes from "./dev.routes";

export const devRouter = createRouter().openapi(routes.devToken, handlers.devToken);
