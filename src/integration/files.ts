import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../app";
import { getAttachment, insertAttachment } from "../features/attachments/attachments.queries";
import type { AttachmentRow } from "../db/schema";
import { ApiError } from "../platform/errors";
import { newId } from "../platform/ids";
import { completeSignedUpload } from "../features/attachments/uploads";
import { cleanContentType, cleanFilename } from "../features/attachments/attachments.schemas";
import { FileInfo, GenerateUploadBody } from "../schemas/integration";
import { signedUploadUrl } from "../features/attachments/storage";
import { requireScope } from "./auth";
import { INTEGRATION_SECURITY, integrationResponses, ok } from "./envelope";

const tags = ["Integration: Attachments"];
const FileParams = z.object({ fileId: z.string().openapi({ param: { name: "fileId", in: "path" } }) });

export const filesApiRouter = createRouter();
const readFiles = requireScope("attachments.read");
const writeFiles = requireScope("attachments.write");
filesApiRouter.use("/attachments/v1/*", (c, next) => (c.req.method === "GET" ? readFiles : writeFiles)(c, next));

const fileInfo = (row: AttachmentRow) => ({
  fileId: row.id,
  fileName: row.filename,
  fileType: row.contentType,
  fileSize: row.sizeBytes,
  status: row.status === "complete" ? ("completed" as const) : ("pending" as const),
  ...(row.isImage ? { width: row.width!, height: row.height! } : {}),
});

/** The caller's own upload; anyone else's is not found. */
async function ownFile(db: Parameters<typeof getAttachment>[0], owner: string, fileId: string) {
  const row = await getAttachment(db, fileId);
  if (!row || row.ownerId !== owner) throw new ApiError("CHAT_ATTACHMENT_NOT_FOUND", `File ${fileId} not found`);
  return row;
}

filesApiRouter.openapi(
  createRoute({
    method: "post",
    path: "/attachments/v1/files/generate-upload-url",
    tags,
    security: INTEGRATION_SECURITY,
    summary: "A one-time upload URL (300 s): PUT the bytes there, then complete-upload",
    request: { body: { required: true, content: { "application/json": { schema: GenerateUploadBody } } } },
    responses: integrationResponses(z.object({ fileId: z.string(), uploadFileUrl: z.string() }), "Upload here"),
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
    const { url } = await signedUploadUrl(c.env, new URL(c.req.url).origin, row.id);
    return ok(c, { fileId: row.id, uploadFileUrl: url });
  },
);

filesApiRouter.openapi(
  createRoute({
    method: "put",
    path: "/attachments/v1/files/complete-upload/{fileId}",
    tags,
    security: INTEGRATION_SECURITY,
    summary: "Mark an uploaded file ready; its fileId can then be used in chat messages",
    request: { params: FileParams },
    responses: integrationResponses(FileInfo, "Ready"),
  }),
  async (c) => {
    const db = c.get("db");
    const row = await ownFile(db, c.get("principal").id, c.req.valid("param").fileId);
    return ok(c, fileInfo(await completeSignedUpload(c.env, db, row)));
  },
);

filesApiRouter.openapi(
  createRoute({
    method: "get",
    path: "/attachments/v1/files/{fileId}",
    tags,
    security: INTEGRATION_SECURITY,
    summary: "A file's details",
    request: { params: FileParams },
    responses: integrationResponses(FileInfo, "The file"),
  }),
  async (c) => ok(c, fileInfo(await ownFile(c.get("db"), c.get("principal").id, c.req.valid("param").fileId))),
);
