import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, userSecurity as security } from "../../platform/openapi";
import { MessageParams } from "../messages/messages.schemas";
import { Attachment, AttachmentUrlQuery, CreateUploadBody, UploadTicket } from "./attachments.schemas";

const tags = ["Attachments"];

export const upload = createRoute({
  method: "post",
  path: "/v1/attachments",
  tags,
  security,
  summary: "Upload a file (up to 25 MiB): raw bytes with Content-Type and X-Filename, or multipart field `file`",
  request: {
    body: { content: { "application/octet-stream": { schema: z.any().openapi({ type: "string", format: "binary" }) } } },
  },
  responses: { 201: json(Attachment, "Stored"), ...errorResponses(400, 413) },
});

export const createUpload = createRoute({
  method: "post",
  path: "/v1/attachments/uploads",
  tags,
  security,
  summary: "Start a large upload: a one-time signed PUT URL, valid 5 minutes; then POST …/complete",
  request: { body: jsonBody(CreateUploadBody) },
  responses: { 201: json(UploadTicket, "Upload here"), ...errorResponses(400, 413) },
});

export const completeUpload = createRoute({
  method: "post",
  path: "/v1/attachments/{assetID}/complete",
  tags,
  security,
  summary: "Finish a large upload once its bytes are PUT",
  request: { params: z.object({ assetID: z.string().openapi({ param: { name: "assetID", in: "path" } }) }) },
  responses: { 200: json(Attachment, "Usable in messages"), ...errorResponses(400, 404) },
});

export const attachmentUrl = createRoute({
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
});
