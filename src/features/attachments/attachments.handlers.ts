import { depsOf } from "../../platform/context";
import { ApiError } from "../../platform/errors";
import type { AppRouteHandler } from "../../platform/openapi";
import { inRoom } from "../../room/changes";
import type * as routes from "./attachments.routes";
import { MAX_DIRECT_UPLOAD, MAX_SIGNED_UPLOAD } from "./limits";
import * as storage from "./storage";
import { completeSignedUpload, createPendingUpload, ownUpload, storeUpload, uploadedJson } from "./uploads";

export const upload: AppRouteHandler<typeof routes.upload> = async (c) => {
  const declaredLength = Number(c.req.header("Content-Length") ?? NaN);
  if (declaredLength > MAX_DIRECT_UPLOAD + 64 * 1024) {
    throw new ApiError("PAYLOAD_TOO_LARGE", `Uploads are limited to ${MAX_DIRECT_UPLOAD} bytes; use /v1/attachments/uploads`);
  }
  let file: { body: ReadableStream<Uint8Array> | null; length?: number; filename: string; contentType: string };
  if (/^multipart\/form-data/i.test(c.req.header("Content-Type") ?? "")) {
    // formData() buffers the whole body: only after the size check above has seen its length.
    if (!Number.isFinite(declaredLength)) throw new ApiError("VALIDATION_FAILED", "Multipart uploads need a Content-Length");
    const part = (await c.req.raw.formData().catch(() => undefined))?.get("file");
    if (!(part instanceof File)) throw new ApiError("VALIDATION_FAILED", "Send the file in a multipart field named `file`");
    file = { body: part.stream(), length: part.size, filename: part.name, contentType: part.type };
  } else {
    file = {
      body: c.req.raw.body,
      length: Number.isFinite(declaredLength) ? declaredLength : undefined,
      filename: c.req.header("X-Filename") ?? "file",
      contentType: c.req.header("Content-Type") ?? "application/octet-stream",
    };
  }
  if (!file.body || file.length === 0) throw new ApiError("VALIDATION_FAILED", "The upload is empty");
  const row = await storeUpload(c.env, c.get("db"), c.get("user").id, { ...file, body: file.body });
  return c.json(uploadedJson(row), 201);
};

export const createUpload: AppRouteHandler<typeof routes.createUpload> = async (c) => {
  const input = c.req.valid("json");
  if (input.size_bytes > MAX_SIGNED_UPLOAD) throw new ApiError("PAYLOAD_TOO_LARGE", `Uploads are limited to ${MAX_SIGNED_UPLOAD} bytes`);
  const row = await createPendingUpload(c.get("db"), c.get("user").id, {
    filename: input.filename,
    contentType: input.content_type,
    sizeBytes: input.size_bytes,
  });
  const { url, expires_at } = await storage.signedUploadUrl(c.env, new URL(c.req.url).origin, row.id);
  return c.json({ asset_id: row.id, upload_url: url, expires_at, max_size_bytes: MAX_SIGNED_UPLOAD }, 201);
};

export const completeUpload: AppRouteHandler<typeof routes.completeUpload> = async (c) => {
  const db = c.get("db");
  const row = await ownUpload(db, c.get("user").id, c.req.valid("param").assetID);
  return c.json(uploadedJson(await completeSignedUpload(c.env, db, row)), 200);
};

export const attachmentUrl: AppRouteHandler<typeof routes.attachmentUrl> = async (c) => {
  const { channelID, messageID, attachmentID } = c.req.valid("param");
  const origin = new URL(c.req.url).origin;
  return c.json(await inRoom(depsOf(c), channelID, "attachmentUrl", c.get("user").id, channelID, messageID, attachmentID, c.req.valid("query").size, origin), 200);
};
