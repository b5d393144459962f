import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../app";
import { getAttachment } from "../db/queries/attachments";
import { ApiError } from "../lib/errors";
import * as storage from "../storage/attachments";
import { errorResponses } from "../schemas/common";

/** Routes whose signature is their authentication: mounted outside `/v1` auth. */
export const filesRouter = createRouter();

const SignedQuery = z.object({ exp: z.coerce.number().int().optional(), sig: z.string().optional() });
const badSignature = () => new ApiError("FILE_SIGNATURE_INVALID", "This link is invalid or has expired");

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` (one range); undefined for none or several. */
export function parseRange(header: string | undefined, size: number): { offset: number; length: number } | "unsatisfiable" | undefined {
  const m = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  let start: number;
  let end: number;
  if (m[1] === "") {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || end < start) return "unsatisfiable";
  return { offset: start, length: end - start + 1 };
}

filesRouter.openapi(
  createRoute({
    method: "get",
    path: "/files/{assetID}/{size}",
    tags: ["Attachments"],
    summary: "Download through a signed URL from …/attachments/{id}/url (Range requests supported)",
    request: {
      params: z.object({
        assetID: z.string().openapi({ param: { name: "assetID", in: "path" } }),
        size: z.string().openapi({ param: { name: "size", in: "path" } }),
      }),
      query: SignedQuery,
    },
    responses: {
      200: { description: "The file" },
      206: { description: "Part of the file" },
      304: { description: "Not modified" },
      ...errorResponses(403, 404, 416),
    },
  }),
  async (c) => {
    const { assetID, size } = c.req.valid("param");
    const { exp, sig } = c.req.valid("query");
    if (!(await storage.verifyFileUrl(c.env, assetID, size, exp ?? NaN, sig))) throw badSignature();
    const row = await getAttachment(c.get("db"), assetID);
    if (!row || row.status !== "complete") throw new ApiError("CHAT_ATTACHMENT_NOT_FOUND", "This file no longer exists");
    const headers = new Headers({
      "Cache-Control": `private, max-age=${Math.max(0, (exp ?? 0) - Math.floor(Date.now() / 1000))}`,
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
      if (c.req.header("If-None-Match") === thumb.httpEtag) return new Response(null, { status: 304, headers });
      return new Response(thumb.body, { status: 200, headers });
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
    if (!range && c.req.header("If-None-Match") === object.httpEtag) return new Response(null, { status: 304, headers });
    if (range) {
      headers.set("Content-Range", `bytes ${range.offset}-${range.offset + range.length - 1}/${row.sizeBytes}`);
      headers.set("Content-Length", String(range.length));
      return new Response(object.body, { status: 206, headers });
    }
    headers.set("Content-Length", String(row.sizeBytes));
    return new Response(object.body, { status: 200, headers });
  },
);

filesRouter.openapi(
  createRoute({
    method: "put",
    path: "/uploads/{assetID}",
    tags: ["Attachments"],
    summary: "The one-time signed upload URL from /v1/attachments/uploads: PUT exactly the announced bytes",
    request: {
      params: z.object({ assetID: z.string().openapi({ param: { name: "assetID", in: "path" } }) }),
      query: SignedQuery,
      body: { content: { "application/octet-stream": { schema: z.any().openapi({ type: "string", format: "binary" }) } } },
    },
    responses: { 200: { description: "Received" }, ...errorResponses(400, 403, 404, 409, 413) },
  }),
  async (c) => {
    const { assetID } = c.req.valid("param");
    const { exp, sig } = c.req.valid("query");
    if (!(await storage.verifyUploadUrl(c.env, assetID, exp ?? NaN, sig))) throw badSignature();
    const row = await getAttachment(c.get("db"), assetID);
    if (!row) throw new ApiError("CHAT_ATTACHMENT_NOT_FOUND", "This upload no longer exists");
    if (row.status === "complete" || (await c.env.ATTACHMENTS.head(storage.originalKey(assetID)))) {
      throw new ApiError("UPLOAD_ALREADY_RECEIVED", "This upload URL has been used");
    }
    const length = Number(c.req.header("Content-Length") ?? NaN);
    // 0 = not announced (integration uploads): anything up to the signed-upload limit.
    const max = row.sizeBytes || storage.MAX_SIGNED_UPLOAD;
    if (length > max) throw new ApiError("PAYLOAD_TOO_LARGE", `This upload takes at most ${max} bytes`);
    if (!c.req.raw.body || !(length > 0) || (row.sizeBytes && length !== row.sizeBytes)) {
      throw new ApiError("VALIDATION_FAILED", row.sizeBytes ? `Send exactly the announced ${row.sizeBytes} bytes with a Content-Length` : "Send the bytes with a Content-Length");
    }
    await storage.storeOriginal(c.env, assetID, c.req.raw.body, length, max);
    return c.json({ asset_id: assetID, size_bytes: length }, 200);
  },
);
