import type { Env } from "../../env";
import { ApiError } from "../../platform/errors";
import { enforceUploadRateLimit } from "../../platform/rate-limit";
import type { AppRouteHandler } from "../../platform/openapi";
import { claimUpload, getAttachment, releaseUpload } from "../attachments/attachments.queries";
import * as storage from "../attachments/storage";
import { MAX_SIGNED_UPLOAD } from "../attachments/limits";
import type * as routes from "./files.routes";
import { parseRange } from "./range";
import { PREVIEW_IMAGE_ID, previewImageKey } from "../../previews/image";

/** `exp` as unix seconds; NaN (never valid) for anything but digits. */
const expiry = (exp: string | undefined) => (exp && /^\d{1,12}$/.test(exp) ? Number(exp) : NaN);
const badSignature = () => new ApiError("FILE_SIGNATURE_INVALID", "This link is invalid or has expired");

/** Serves an original (with Range and ETag) or a WebP thumbnail, through a signed URL. */
export const download: AppRouteHandler<typeof routes.download> = async (c) => {
  const { assetID, size } = c.req.valid("param");
  const { sig } = c.req.valid("query");
  const exp = expiry(c.req.valid("query").exp);
  if (!(await storage.verifyFileUrl(c.env, assetID, size, exp, sig))) throw badSignature();
  if (PREVIEW_IMAGE_ID.test(assetID)) return previewImage(c.env, assetID, size, exp);
  const row = await getAttachment(c.get("db"), assetID);
  if (!row || row.status !== "complete") throw new ApiError("CHAT_ATTACHMENT_NOT_FOUND", "This file no longer exists");
  const headers = new Headers({
    "Cache-Control": `private, max-age=${Math.max(0, exp - Math.floor(Date.now() / 1000))}`,
    "X-Content-Type-Options": "nosniff",
    "Accept-Ranges": "bytes",
  });

  if (size !== "full") {
    if (!row.isImage) throw new ApiError("CHAT_ATTACHMENT_NOT_FOUND", "Thumbnails exist only for images");
    const thumb = await storage.thumbnail(c.env, assetID, Number(size));
    if (!thumb) throw new ApiError("CHAT_ATTACHMENT_NOT_FOUND", "This file no longer exists");
    headers.set("Content-Type", "image/webp");
    headers.set("ETag", thumb.httpEtag);
    headers.set("Content-Disposition", `inline; filename*=UTF-8''${encodeURIComponent(row.filename.replace(/\.[^.]*$/, ""))}.webp`);
    if (c.req.header("If-None-Match") === thumb.httpEtag) return c.body(null, { status: 304, headers });
    return c.body(thumb.body, { status: 200, headers });
  }

  const range = parseRange(c.req.header("Range"), row.sizeBytes);
  if (range === "unsatisfiable") {
    throw new ApiError("RANGE_NOT_SATISFIABLE", "Range not satisfiable", undefined, { "Content-Range": `bytes */${row.sizeBytes}` });
  }
  const object = await c.env.ATTACHMENTS.get(storage.originalKey(assetID), range ? { range } : {});
  if (!object) throw new ApiError("CHAT_ATTACHMENT_NOT_FOUND", "This file no longer exists");
  headers.set("Content-Type", row.contentType);
  headers.set("ETag", object.httpEtag);
  // Images display inline; anything else downloads, so an uploaded HTML file never runs on our origin.
  headers.set("Content-Disposition", `${row.isImage ? "inline" : "attachment"}; filename*=UTF-8''${encodeURIComponent(row.filename)}`);
  if (!range && c.req.header("If-None-Match") === object.httpEtag) return c.body(null, { status: 304, headers });
  if (range) {
    headers.set("Content-Range", `bytes ${range.offset}-${range.offset + range.length - 1}/${row.sizeBytes}`);
    headers.set("Content-Length", String(range.length));
    return c.body(object.body, { status: 206, headers });
  }
  headers.set("Content-Length", String(row.sizeBytes));
  return c.body(object.body, { status: 200, headers });
};

/** Takes the bytes of a one-time signed upload URL, exactly once. */
export const signedUpload: AppRouteHandler<typeof routes.signedUpload> = async (c) => {
  const { assetID } = c.req.valid("param");
  const { sig } = c.req.valid("query");
  if (!(await storage.verifyUploadUrl(c.env, assetID, expiry(c.req.valid("query").exp), sig))) throw badSignature();
  const row = await getAttachment(c.get("db"), assetID);
  if (!row) throw new ApiError("CHAT_ATTACHMENT_NOT_FOUND", "This upload no longer exists");
  const used = () => new ApiError("UPLOAD_ALREADY_RECEIVED", "This upload URL has been used");
  if (row.status !== "pending") throw used();
  // Before any byte is read: every attempt counts, failed ones too (a failed PUT may be tried again).
  await enforceUploadRateLimit(c.env, row.ownerId);
  const length = Number(c.req.header("Content-Length") ?? NaN);
  // 0 = not announced (integration uploads): anything up to the signed-upload limit.
  const max = row.sizeBytes || MAX_SIGNED_UPLOAD;
  if (length > max) throw new ApiError("PAYLOAD_TOO_LARGE", `This upload takes at most ${max} bytes`);
  if (!c.req.raw.body || !(length > 0) || (row.sizeBytes && length !== row.sizeBytes)) {
    throw new ApiError("VALIDATION_FAILED", row.sizeBytes ? `Send exactly the announced ${row.sizeBytes} bytes with a Content-Length` : "Send the bytes with a Content-Length");
  }
  // Claimed in one conditional write: of racing PUTs exactly one streams its bytes.
  const db = c.get("db");
  if (!(await claimUpload(db, assetID))) throw used();
  try {
    await storage.storeOriginal(c.env, assetID, c.req.raw.body, length, max);
  } catch (err) {
    await releaseUpload(db, assetID); // nothing was stored: the URL may be used again
    throw err;
  }
  return c.json({ asset_id: assetID, size_bytes: length }, 200);
};

/**
 * A link preview's image (src/previews/image.ts): our copy of a linked page's image, so a reader's
 * client never contacts the linked site. Checked PNG/JPEG/GIF/WebP when stored; always inline.
 */
async function previewImage(env: Env, id: string, size: string, exp: number) {
  const object = size === "full" ? await env.ATTACHMENTS.get(previewImageKey(id)) : null;
  if (!object) throw new ApiError("CHAT_ATTACHMENT_NOT_FOUND", "This preview image no longer exists (preview images have no thumbnails: use full)");
  return new Response(object.body, {
    headers: {
      "Content-Type": object.httpMetadata?.contentType ?? "application/octet-stream",
      "Content-Length": String(object.size),
      "Content-Disposition": "inline",
      "Cache-Control": `private, max-age=${Math.max(0, exp - Math.floor(Date.now() / 1000))}`,
      "X-Content-Type-Options": "nosniff",
      ETag: object.httpEtag,
    },
  });
}
