import { createRouter } from "../../app";
import * as handlers from "./previews.handlers";
import * as routes from "./previews.routes";

export const previewsRouter = createRouter().openapi(routes.removePreview, handlers.removePreview);
