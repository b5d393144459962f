import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getAttachment, insertAttachment } from "../features/attachments/attachments.queries";
import type { AttachmentRow } from "../db/schema";
import type { AppEnv } from "../env";
import { ApiError } from "../platform/errors";
import { isId, newId } from "../platform/ids";
import { completeSignedUpload } from "../features/attachments/uploads";
import { cleanContentType, cleanFilename } from "../features/attachments/attachments.schemas";
import {
  apiResponse,
  FileCompleteUploadResponse,
  FileDownloadURLRequest,
  FileDownloadURLResponse,
  FileURLCreateRequest,
  FileURLResponse,
  GetFileURLResponse,
} from "./integration.schemas";
import { FILE_SIZES, type FileSize } from "../features/attachments/limits";
import { signedFileUrl, signedUploadUrl } from "../features/attachments/storage";
import { requireScope } from "./auth";
import { integrationResponses, integrationRouter, invalidAt, ok, security } from "./envelope";

const tags = ["Integration: Attachments"];
const FileParams = z.object({ fileId: z.string().openapi({ param: { name: "fileId", in: "path" }, example: "1234567890123456790" }) });

/** The only feature with attachments here (the reference's enum also names shiftscheduler, users, quicktasks). */
const FEATURE = "chat";

export const filesApiRouter = integrationRouter();
const readFiles = requireScope("attachments.read");
const writeFiles = requireScope("attachments.write");
// Reads: GET a file, and POST …/download-url (attachments.read in the reference).
filesApiRouter.use("/attachments/v1/*", (c, next) =>
  (c.req.method === "GET" || c.req.path === "/attachments/v1/files/download-url" ? readFiles : writeFiles)(c, next),
);

const origin = (c: Context<AppEnv>) => new URL(c.req.url).origin;

async function fileInfo(c: Context<AppEnv>, row: AttachmentRow) {
  const complete = row.status === "complete";
  return {
    fileId: row.id,
    ...(complete ? { fileUrl: (await signedFileUrl(c.env, origin(c), row.id, "full")).url } : {}),
    uploadCompleted: complete,
    fileType: row.contentType,
    featureType: FEATURE,
    fileName: row.filename,
    fileSize: row.sizeBytes,
    ...(row.isImage ? { width: row.width!, height: row.height! } : {}),
  };
}

const fileNotFound = (fileId: string) => new ApiError("CHAT_ATTACHMENT_NOT_FOUND", `File ${fileId} not found`);

/** The caller's own upload (its API key's); anyone else's is not found. */
async function ownFile(c: Context<AppEnv>, fileId: string) {
  const row = isId(fileId) ? await getAttachment(c.get("db"), fileId) : undefined;
  if (!row || row.ownerId !== c.get("principal").id) throw fileNotFound(fileId);
  return row;
}

filesApiRouter.openapi(
  createRoute({
    method: "post",
    path: "/attachments/v1/files/generate-upload-url",
    tags,
    security: security("attachments.write"),
    summary: "Generate upload url",
    description:
      "A one-time upload URL (300 s): PUT the bytes there (up to 100 MiB, with Content-Length), then complete-upload. " +
      "Needs an API key or token with `attachments.write`; the file belongs to that key and no other key sees it (404). " +
      "Only `featureType: \"chat\"` exists here (422 otherwise). Files never used in a message are deleted after 24 h.",
    request: { body: { required: true, content: { "application/json": { schema: FileURLCreateRequest } } } },
    responses: integrationResponses(apiResponse("APIResponse_FileURLResponse_", FileURLResponse), "Successful Response"),
  }),
  async (c) => {
    const input = c.req.valid("json");
    const row = await insertAttachment(c.get("db"), {
      id: newId(),
      ownerId: c.get("principal").id,
      filename: cleanFilename(input.fileName),
      contentType: cleanContentType(input.fileTypeHint),
      sizeBytes: 0, // not announced: the PUT may carry up to the signed-upload limit
      status: "pending",
      createdAt: Date.now(),
    });
    const { url } = await signedUploadUrl(c.env, origin(c), row.id);
    return ok(c, { fileId: row.id, uploadFileUrl: url });
  },
);

filesApiRouter.openapi(
  createRoute({
    method: "put",
    path: "/attachments/v1/files/complete-upload/{fileId}",
    tags,
    security: security("attachments.write"),
    summary: "Finalize upload",
    description:
      "Marks an uploaded file ready; its fileId can then be used in chat messages. 422 until the bytes have been PUT. " +
      "The answer is the file's metadata: the bytes decide `fileType` (`image` for PNG, JPEG, GIF and WebP, with width and height; `file` otherwise). " +
      "Needs `attachments.write` and the key that generated the upload URL (another key gets 404).",
    request: { params: FileParams },
    responses: integrationResponses(apiResponse("APIResponse_FileCompleteUploadResponse_", FileCompleteUploadResponse), "Successful Response", 404),
  }),
  async (c) => {
    const { fileId } = c.req.valid("param");
    const row = await ownFile(c, fileId);
    let done: AttachmentRow;
    try {
      done = await completeSignedUpload(c.env, c.get("db"), row);
    } catch (err) {
      if (err instanceof ApiError && err.code === "VALIDATION_FAILED") throw invalidAt(["path", "fileId"], `Value error, ${err.message}`);
      throw err;
    }
    return ok(c, await fileInfo(c, done));
  },
);

filesApiRouter.openapi(
  createRoute({
    method: "get",
    path: "/attachments/v1/files/{fileId}",
    tags,
    security: security("attachments.read"),
    summary: "Get file metadata",
    description:
      "The file's metadata and upload state; `fileUrl` (a signed download URL, 1 h) once the upload is complete. " +
      "Needs `attachments.read`; files are private to the key that uploaded them, so another key's file is 404. " +
      "The `fileUrl` needs no credentials and can be handed to a browser.",
    request: { params: FileParams },
    responses: integrationResponses(apiResponse("APIResponse_GetFileURLResponse_", GetFileURLResponse), "Successful Response", 404),
  }),
  async (c) => ok(c, await fileInfo(c, await ownFile(c, c.req.valid("param").fileId))),
);

/** `…/files/<fileId>/<size>` of a URL this API handed out (signature and origin aside). */
function fileOfUrl(text: string): { fileId: string; size: FileSize } | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const m = url.pathname.match(/^\/files\/(\d{19})\/([^/]+)$/);
  if (!m || !(FILE_SIZES as string[]).includes(m[2]!)) return undefined;
  return { fileId: m[1]!, size: m[2] as FileSize };
}

filesApiRouter.openapi(
  createRoute({
    method: "post",
    path: "/attachments/v1/files/download-url",
    tags,
    deprecated: true,
    security: security("attachments.read"),
    summary: "Generate download URL",
    description:
      "A time-limited (5 s to 24 h, default 1 h) download URL for a file URL this API handed out (fileUrl of GET /attachments/v1/files/{fileId}), original or thumbnail. " +
      "Deprecated in the reference and kept for compatibility; needs `attachments.read` and only works for the caller's own files (404 otherwise). " +
      "An `expirationInSeconds` outside 5–86400 is 422.",
    request: { body: { required: true, content: { "application/json": { schema: FileDownloadURLRequest } } } },
    responses: integrationResponses(apiResponse("APIResponse_FileDownloadURLResponse_", FileDownloadURLResponse), "Successful Response", 404),
  }),
  async (c) => {
    const { fileUrl, expirationInSeconds } = c.req.valid("json");
    const named = fileOfUrl(fileUrl);
    if (!named) throw invalidAt(["body", "fileUrl"], "Value error, not a file URL of this API (…/files/{fileId}/{size})");
    const row = await ownFile(c, named.fileId);
    if (row.status !== "complete") throw invalidAt(["body", "fileUrl"], "Value error, the upload of this file is not complete");
    if (named.size !== "full" && !row.isImage) throw invalidAt(["body", "fileUrl"], "Value error, only images have thumbnails");
    const { url } = await signedFileUrl(c.env, origin(c), row.id, named.size, expirationInSeconds);
    return ok(c, { url, expiresInSeconds: expirationInSeconds });
  },
);
