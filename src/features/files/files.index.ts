import { createRouter } from "../../app";
import * as handlers from "./files.handlers";
import * as routes from "./files.routes";

/** Routes whose signature is their authentication: mounted outside `/v1` auth. */
export const filesRouter = createRouter()
  .openapi(routes.download, handlers.download)
  .openapi(routes.signedUpload, handlers.signedUpload);
