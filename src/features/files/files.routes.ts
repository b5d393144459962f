import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses } from "../../platform/openapi";
import { UPLOAD_PUTS_PER_MINUTE } from "../attachments/limits";

/**
 * A signed URL's query: its expiry and signature, taken as text and checked by the handler, so any
 * tampering (a non-numeric `exp` too) is the same 403 FILE_SIGNATURE_INVALID.
 */
const SignedQuery = z.object({
  exp: z.string().optional().openapi({ example: "1735736400", description: "Expiry, unix seconds (part of the signed URL)" }),
  sig: z.string().optional().openapi({ example: "q8Vd2r0xWm6nA1cZ4kTfP9eHs3LbY7uJ5oGi0NwRt2E", description: "HMAC-SHA256 signature (part of the signed URL)" }),
});
const AssetParam = z.string().openapi({ param: { name: "assetID", in: "path" }, example: "1234567890123456790" });

export const download = createRoute({
  method: "get",
  path: "/files/{assetID}/{size}",
  tags: ["Attachments"],
  summary: "Download through a signed URL from …/attachments/{id}/url (Range requests supported)",
  description:
    "The URL handed out by `GET …/attachments/{attachmentID}/url`: no Authorization header, the signature over asset id, size and expiry is the credential. " +
    "A tampered, swapped or expired link is 403 `FILE_SIGNATURE_INVALID`. Originals come with their content type, `Content-Disposition` (inline for images, attachment for anything else), " +
    "`ETag` (`If-None-Match` → 304), `Cache-Control: private` until the link expires and single `Range` requests (206; 416 when unsatisfiable). " +
    "Thumbnails are WebP; a file deleted meanwhile (its message, or its channel once purged) is 404. " +
    "The same route serves link previews' images (`image_url` of a message's `previews`, ids `lp-…`, size `full` only): copies made by the server, so readers never contact the linked site.",
  request: {
    params: z.object({
      assetID: AssetParam,
      size: z.string().openapi({ param: { name: "size", in: "path" }, example: "512", description: "full, 1600, 512, 256 or 128" }),
    }),
    query: SignedQuery,
  },
  responses: {
    200: { description: "The file" },
    206: { description: "Part of the file" },
    304: { description: "Not modified" },
    ...errorResponses(403, 404, 416),
  },
});

export const signedUpload = createRoute({
  method: "put",
  path: "/uploads/{assetID}",
  tags: ["Attachments"],
  summary: "The one-time signed upload URL from /v1/attachments/uploads: PUT exactly the announced bytes",
  description:
    "The `upload_url` of `POST /v1/attachments/uploads` (or an integration `uploadFileUrl`): PUT the bytes with a `Content-Length`, without an Authorization header. " +
    "It takes exactly the announced size (else 400, or 413 when larger), once (a second PUT is 409 `UPLOAD_ALREADY_RECEIVED`; of racing PUTs one wins), within 5 minutes (then 403 `FILE_SIGNATURE_INVALID`). " +
    `At most ${UPLOAD_PUTS_PER_MINUTE} PUTs a minute per uploader (the user or API key that started the upload), failed ones included: past it 429 \`RATE_LIMITED\` with \`Retry-After\`, the URL staying usable. ` +
    "Complete the upload afterwards.",
  request: {
    params: z.object({ assetID: AssetParam }),
    query: SignedQuery,
    body: { content: { "application/octet-stream": { schema: z.any().openapi({ type: "string", format: "binary" }) } } },
  },
  responses: { 200: { description: "Received" }, ...errorResponses(400, 403, 404, 409, 413, 429) },
});
