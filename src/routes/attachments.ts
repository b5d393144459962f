import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../app";
import { getMessage } from "../db/history/messages";
import * as q from "../db/queries/attachments";
import { loadChannel, requireMember } from "../lib/access";
import { ApiError, messageNotFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { completeSignedUpload, finishUpload, uploadedJson } from "../lib/uploads";
import { AttachmentUrlQuery, CreateUploadBody, UploadTicket, UploadedAttachment, cleanContentType, cleanFilename } from "../schemas/attachments";
import { errorResponses, json, jsonBody } from "../schemas/common";
import { MessageParams } from "../schemas/messages";
import * as storage from "../storage/attachments";

const security = [{ bearerAuth: [] }];
const tags = ["Attachments"];
const notFound = (id: string) => new ApiError("CHAT_ATTACHMENT_NOT_FOUND", `Attachment ${id} not found`);

export const attachmentsRouter = createRouter();

attachmentsRouter.openapi(
  createRoute({
    method: "post",
    path: "/v1/attachments",
    tags,
    security,
    summary: "Upload a file (up to 25 MiB): raw bytes with Content-Type and X-Filename, or multipart field `file`",
    request: {
      body: { content: { "application/octet-stream": { schema: z.any().openapi({ type: "string", format: "binary" }) } } },
    },
    responses: { 201: json(UploadedAttachment, "Stored"), ...errorResponses(400, 413) },
  }),
  async (c) => {
    const db = c.get("db");
    const declaredLength = Number(c.req.header("Content-Length") ?? NaN);
    if (declaredLength > storage.MAX_DIRECT_UPLOAD + 64 * 1024) {
      throw new ApiError("PAYLOAD_TOO_LARGE", `Uploads are limited to ${storage.MAX_DIRECT_UPLOAD} bytes; use /v1/attachments/uploads`);
    }
    let body: ReadableStream<Uint8Array> | null;
    let length: number | undefined;
    let filename: string;
    let contentType: string;
    if (/^multipart\/form-data/i.test(c.req.header("Content-Type") ?? "")) {
      // formData() buffers the whole body: only after the size check above has seen its length.
      if (!Number.isFinite(declaredLength)) throw new ApiError("VALIDATION_FAILED", "Multipart uploads need a Content-Length");
      const file = (await c.req.raw.formData().catch(() => undefined))?.get("file");
      if (!(file instanceof File)) throw new ApiError("VALIDATION_FAILED", "Send the file in a multipart field named `file`");
      ({ name: filename, type: contentType } = file);
      body = file.stream();
      length = file.size;
    } else {
      filename = c.req.header("X-Filename") ?? "file";
      contentType = c.req.header("Content-Type") ?? "application/octet-stream";
      body = c.req.raw.body;
      length = Number.isFinite(declaredLength) ? declaredLength : undefined;
    }
    if (!body || length === 0) throw new ApiError("VALIDATION_FAILED", "The upload is empty");
    const id = newId();
    const { size, head } = await storage.storeOriginal(c.env, id, body, length, storage.MAX_DIRECT_UPLOAD);
    if (size === 0) {
      await storage.deleteObjects(c.env, [id]); // no row will ever point at it
      throw new ApiError("VALIDATION_FAILED", "The upload is empty");
    }
    const row = await q.insertAttachment(db, {
      id,
      ownerId: c.get("user").id,
      filename: cleanFilename(filename),
      contentType: cleanContentType(contentType),
      sizeBytes: size,
      status: "pending",
      createdAt: Date.now(),
    });
    return c.json(uploadedJson(await finishUpload(c.env, db, row, size, head)), 201);
  },
);

attachmentsRouter.openapi(
  createRoute({
    method: "post",
    path: "/v1/attachments/uploads",
    tags,
    security,
    summary: "Start a large upload: a one-time signed PUT URL, valid 5 minutes; then POST …/complete",
    request: { body: jsonBody(CreateUploadBody) },
    responses: { 201: json(UploadTicket, "Upload here"), ...errorResponses(400, 413) },
  }),
  async (c) => {
    const input = c.req.valid("json");
    if (input.size_bytes > storage.MAX_SIGNED_UPLOAD) {
      throw new ApiError("PAYLOAD_TOO_LARGE", `Uploads are limited to ${storage.MAX_SIGNED_UPLOAD} bytes`);
    }
    const row = await q.insertAttachment(c.get("db"), {
      id: newId(),
      ownerId: c.get("user").id,
      filename: cleanFilename(input.filename),
      contentType: cleanContentType(input.content_type),
      sizeBytes: input.size_bytes,
      status: "pending",
      createdAt: Date.now(),
    });
    const { url, expires_at } = await storage.signedUploadUrl(c.env, new URL(c.req.url).origin, row.id);
    return c.json({ asset_id: row.id, upload_url: url, expires_at, max_size_bytes: storage.MAX_SIGNED_UPLOAD }, 201);
  },
);

attachmentsRouter.openapi(
  createRoute({
    method: "post",
    path: "/v1/attachments/{assetID}/complete",
    tags,
    security,
    summary: "Finish a large upload once its bytes are PUT",
    request: { params: z.object({ assetID: z.string().openapi({ param: { name: "assetID", in: "path" } }) }) },
    responses: { 200: json(UploadedAttachment, "Usable in messages"), ...errorResponses(400, 404) },
  }),
  async (c) => {
    const db = c.get("db");
    const { assetID } = c.req.valid("param");
    const row = await q.getAttachment(db, assetID);
    if (!row || row.ownerId !== c.get("user").id) throw notFound(assetID);
    return c.json(uploadedJson(await completeSignedUpload(c.env, db, row)), 200);
  },
);

attachmentsRouter.openapi(
  createRoute({
    method: "get",
    path: "/v1/channels/{channelID}/messages/{messageID}/attachments/{attachmentID}/url",
    tags,
    security,
    summary: "A signed download URL (1 h): the original, or a WebP thumbnail of an image (longest edge)",
    request: {
      params: MessageParams.extend({ attachmentID: z.string().openapi({ param: { name: "attachmentID", in: "path" } }) }),
      query: AttachmentUrlQuery,
    },
    responses: { 200: json(z.object({ url: z.string(), expires_at: z.number().int() }), "The URL"), ...errorResponses(400, 403, 404) },
  }),
  async (c) => {
    const db = c.get("db");
    const { channelID, messageID, attachmentID } = c.req.valid("param");
    const { size } = c.req.valid("query");
    const access = await loadChannel(db, channelID, c.get("user").id);
    requireMember(access);
    const message = await getMessage(db, access.channel.id, messageID);
    if (!message || message.deletedAt !== null) throw messageNotFound();
    const attachment = message.attachments.find((a) => a.asset_id === attachmentID);
    if (!attachment) throw notFound(attachmentID);
    if (size !== "full" && attachment.width === undefined) {
      throw new ApiError("VALIDATION_FAILED", "Thumbnails exist only for images; use size=full");
    }
    return c.json(await storage.signedFileUrl(c.env, new URL(c.req.url).origin, attachmentID, size), 200);
  },
);

