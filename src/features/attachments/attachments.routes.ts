import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, userSecurity as security } from "../../platform/openapi";
import { MessageParams } from "../messages/messages.schemas";
import { Attachment, AttachmentUrlQuery, CreateUploadBody, UploadTicket } from "./attachments.schemas";
import { MAX_PENDING_BYTES, MAX_PENDING_UPLOADS, UPLOAD_PUTS_PER_MINUTE } from "./limits";

const tags = ["Attachments"];

const PENDING_LIMITS =
  `You may hold at most ${MAX_PENDING_UPLOADS} unused uploads (not yet on a message: a live upload URL, bytes arriving, or complete but unattached) with at most ${MAX_PENDING_BYTES / 1024 / 1024} MiB between them ` +
  "(a started upload counts at its announced size, a direct one at its Content-Length); past either, 429 `UPLOAD_PENDING_LIMIT` with `Retry-After` (when the first slot frees itself) and nothing is stored. " +
  "Attaching an upload to a message frees its slot.";

export const upload = createRoute({
  method: "post",
  path: "/v1/attachments",
  tags,
  security,
  summary: "Upload a file (up to 25 MiB): raw bytes with Content-Type and X-Filename, or multipart field `file`",
  description:
    "Stores a file for your next message: send the raw bytes with `Content-Type` and `X-Filename` (URL-encoding allowed), or a multipart form with the field `file`. " +
    "The bytes decide the type: PNG, JPEG, GIF and WebP are images (with width and height); a file that claims `image/*` but is not one is stored as `application/octet-stream`. " +
    "Any signed-in user may upload; the upload is theirs alone and is attached with `attachments: [{\"asset_id\"}]` when sending. " +
    "Over 25 MiB is 413 (use `POST /v1/attachments/uploads`); an empty body is 400. Uploads never attached to a message are deleted after 24 h. " +
    "Filenames lose any path, control characters, bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) and zero-width characters (U+200B–U+200D, U+2060, U+FEFF). " +
    PENDING_LIMITS,
  request: {
    body: { content: { "application/octet-stream": { schema: z.any().openapi({ type: "string", format: "binary" }) } } },
  },
  responses: { 201: json(Attachment, "Stored"), ...errorResponses(400, 413, 429) },
});

export const createUpload = createRoute({
  method: "post",
  path: "/v1/attachments/uploads",
  tags,
  security,
  summary: "Start a large upload: a one-time signed PUT URL, valid 5 minutes; then POST …/complete",
  description:
    "For files up to 100 MiB: announce the filename, type and exact size, then `PUT` exactly those bytes to `upload_url` within 5 minutes (no Authorization header: the signature is the credential), " +
    "then `POST /v1/attachments/{asset_id}/complete`. The URL works once; a second PUT is 409 `UPLOAD_ALREADY_RECEIVED`. A size over 100 MiB is 413 `PAYLOAD_TOO_LARGE`. " +
    `PUTs are limited to ${UPLOAD_PUTS_PER_MINUTE} a minute per uploader, failed ones included (429 \`RATE_LIMITED\`). ` +
    PENDING_LIMITS,
  request: { body: jsonBody(CreateUploadBody) },
  responses: { 201: json(UploadTicket, "Upload here"), ...errorResponses(400, 413, 429) },
});

export const completeUpload = createRoute({
  method: "post",
  path: "/v1/attachments/{assetID}/complete",
  tags,
  security,
  summary: "Finish a large upload once its bytes are PUT",
  description:
    "Marks an upload started with `POST /v1/attachments/uploads` complete and returns the attachment object (an image gets its width and height). " +
    "Only the user who started the upload may complete it (anyone else gets 404 `CHAT_ATTACHMENT_NOT_FOUND`); before the bytes arrived it is 400 `VALIDATION_FAILED`. " +
    "The asset id can then be attached to one message.",
  request: { params: z.object({ assetID: z.string().openapi({ param: { name: "assetID", in: "path" }, example: "1234567890123456790" }) }) },
  responses: { 200: json(Attachment, "Usable in messages"), ...errorResponses(400, 404) },
});

export const attachmentUrl = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}/messages/{messageID}/attachments/{attachmentID}/url",
  tags,
  security,
  summary: "A signed download URL (1 h): the original, or a WebP thumbnail of an image (longest edge)",
  description:
    "Members of the channel (a room's non-member gets 403 `CHAT_NOT_MEMBER`, a group's 404) get a URL to `GET /files/{asset_id}/{size}` signed with HMAC-SHA256, valid for one hour; it needs no Authorization header, so it can go straight into an `<img src>`. " +
    "`size=full` is the original; 1600, 512, 256 and 128 are WebP thumbnails of images (longest edge, never upscaled), made on first request. " +
    "A thumbnail of a non-image is 400; an attachment that is not on this message, or a deleted message, is 404.",
  request: {
    params: MessageParams.extend({ attachmentID: z.string().openapi({ param: { name: "attachmentID", in: "path" }, example: "1234567890123456790" }) }),
    query: AttachmentUrlQuery,
  },
  responses: {
    200: json(
      z.object({
        url: z.string().openapi({ example: "https://chat.example.com/files/1234567890123456790/512?exp=1735736400&sig=q8Vd2r0xWm6nA1cZ4kTfP9eHs3LbY7uJ5oGi0NwRt2E" }),
        expires_at: z.number().int().openapi({ example: 1735736400, description: "Unix seconds: one hour from now" }),
      }),
      "The URL",
    ), ...errorResponses(400, 403, 404) },
});
