import { z } from "@hono/zod-openapi";
import { LaxInt } from "./common.schemas";

// ---- attachments -----------------------------------------------------------------------------

export const AttachmentsFeatureTypeEnum = z.enum(["chat", "shiftscheduler", "users", "quicktasks"]).openapi("AttachmentsFeatureTypeEnum");

export const FileURLCreateRequest = z
  .object({
    fileName: z.string().min(1).max(255),
    fileTypeHint: z.string().max(200).optional(),
    featureType: AttachmentsFeatureTypeEnum.refine((f) => f === "chat", {
      message: "Only the chat feature exists here",
      params: { type: "value_error" },
    }),
  })
  .openapi("FileURLCreateRequest");

const Url = z.string().min(1).max(65536).openapi({ format: "uri" });

export const FileURLResponse = z.object({ fileId: z.string(), uploadFileUrl: Url }).openapi("FileURLResponse");

/** Extensions beside the reference's fields (all optional there and here). */
const FileExtras = {
  fileName: z.string().optional(),
  fileSize: z.number().int().optional().openapi({ description: "Bytes (0 until uploaded)" }),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
};

export const GetFileURLResponse = z
  .object({
    fileId: z.string(),
    fileUrl: Url.optional().openapi({ description: "A signed download URL (1 h), once the upload is complete" }),
    uploadCompleted: z.boolean(),
    fileType: z.string(),
    featureType: z.string(),
    ...FileExtras,
  })
  .openapi("GetFileURLResponse");

export const FileCompleteUploadResponse = z
  .object({
    fileId: z.string(),
    fileUrl: Url.optional(),
    uploadCompleted: z.boolean().optional(),
    fileType: z.string().optional(),
    featureType: z.string().optional(),
    ...FileExtras,
  })
  .openapi("FileCompleteUploadResponse");

export const MIN_DOWNLOAD_TTL = 5;
export const MAX_DOWNLOAD_TTL = 86_400;

export const FileDownloadURLRequest = z
  .object({
    fileUrl: z.string().max(65536).openapi({ description: "A file URL from GET /attachments/v1/files/{fileId}" }),
    expirationInSeconds: LaxInt(MIN_DOWNLOAD_TTL, MAX_DOWNLOAD_TTL).default(3600).openapi({ type: "integer", minimum: 5, maximum: 86400, default: 3600 }),
  })
  .openapi("FileDownloadURLRequest");

export const FileDownloadURLResponse = z.object({ url: z.string(), expiresInSeconds: z.number().int() }).openapi("FileDownloadURLResponse");

