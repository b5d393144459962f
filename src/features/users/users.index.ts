import { createRouter } from "../../app";
import * as handlers from "./users.handlers";
import * as routes from "./users.routes";

export const usersRouter = createRouter().openapi(routes.me, handlers.me).openapi(routes.updateMe, handlers.updateMe);
