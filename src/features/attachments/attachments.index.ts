import { createRouter } from "../../app";
import * as handlers from "./attachments.handlers";
import * as routes from "./attachments.routes";

export const attachmentsRouter = createRouter()
  .openapi(routes.upload, handlers.upload)
  .openapi(routes.createUpload, handlers.createUpload)
  .openapi(routes.completeUpload, handlers.completeUpload)
  .openapi(routes.attachmentUrl, handlers.attachmentUrl);
