import { z } from "@hono/zod-openapi";
import { LaxInt } from "./common.schemas";

// ---- attachments -----------------------------------------------------------------------------

export const AttachmentsFeatureTypeEnum = z.enum(["chat", "shiftscheduler", "users", "quicktasks"]).openapi("AttachmentsFeatureTypeEnum");

export const FileURLCreateRequest = z
  .object({
    fileName: z.string().min(1).max(255).openapi({ example: "site-plan.png" }),
    fileTypeHint: z.string().max(200).optional().openapi({ example: "image/png", description: "The content type to expect; the bytes decide in the end" }),
    featureType: AttachmentsFeatureTypeEnum.refine((f) => f === "chat", {
      message: "Only the chat feature exists here",
      params: { type: "value_error" },
    }),
  })
  .openapi("FileURLCreateRequest");

const Url = z.string().min(1).max(65536).openapi({ format: "uri" });

const FileId = z.string().openapi({ example: "1234567890123456790" });
const FileUrlExample = "https://chat.example.com/files/1234567890123456790/full?exp=1735736400&sig=q8Vd2r0xWm6nA1cZ4kTfP9eHs3LbY7uJ5oGi0NwRt2E";

export const FileURLResponse = z
  .object({
    fileId: FileId,
    uploadFileUrl: Url.openapi({
      example: "https://chat.example.com/uploads/1234567890123456790?exp=1735733100&sig=Jx3vq0n7bQ2WJH8cYt1k1C6r4oVn3P7m5s0u2a9dE1w",
      description: "PUT the bytes here within 300 s, with a Content-Length and no credentials",
    }),
  })
  .openapi("FileURLResponse");

/** Extensions beside the reference's fields (all optional there and here). */
const FileExtras = {
  fileName: z.string().optional().openapi({ example: "site-plan.png" }),
  fileSize: z.number().int().optional().openapi({ description: "Bytes (0 until uploaded)", example: 482133 }),
  width: z.number().int().optional().openapi({ example: 1600, description: "Images only" }),
  height: z.number().int().optional().openapi({ example: 1200, description: "Images only" }),
};

export const GetFileURLResponse = z
  .object({
    fileId: FileId,
    fileUrl: Url.optional().openapi({ description: "A signed download URL (1 h), once the upload is complete", example: FileUrlExample }),
    uploadCompleted: z.boolean(),
    fileType: z.string().openapi({ example: "image", description: "\"image\" (PNG, JPEG, GIF, WebP by their bytes) or \"file\"" }),
    featureType: z.string().openapi({ example: "chat" }),
    ...FileExtras,
  })
  .openapi("GetFileURLResponse");

export const FileCompleteUploadResponse = z
  .object({
    fileId: FileId,
    fileUrl: Url.optional().openapi({ example: FileUrlExample }),
    uploadCompleted: z.boolean().optional(),
    fileType: z.string().optional().openapi({ example: "image" }),
    featureType: z.string().optional().openapi({ example: "chat" }),
    ...FileExtras,
  })
  .openapi("FileCompleteUploadResponse");

export const MIN_DOWNLOAD_TTL = 5;
export const MAX_DOWNLOAD_TTL = 86_400;

export const FileDownloadURLRequest = z
  .object({
    fileUrl: z.string().max(65536).openapi({ description: "A file URL from GET /attachments/v1/files/{fileId}", example: FileUrlExample }),
    expirationInSeconds: LaxInt(MIN_DOWNLOAD_TTL, MAX_DOWNLOAD_TTL).default(3600).openapi({ type: "integer", minimum: 5, maximum: 86400, default: 3600, example: 600 }),
  })
  .openapi("FileDownloadURLRequest");

export const FileDownloadURLResponse = z
  .object({
    url: z.string().openapi({ example: "https://chat.example.com/files/1234567890123456790/full?exp=1735733400&sig=Zr5mP1tK8wQ3vB6nY0cH2dL9fJ4sA7eG1uX5oI3kT8q" }),
    expiresInSeconds: z.number().int().openapi({ example: 600 }),
  })
  .openapi("FileDownloadURLResponse");

