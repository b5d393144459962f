import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, userSecurity } from "../../platform/openapi";
import { adminSecurity } from "../admin/admin.schemas";
import { Export, ExportBody, ExportParams } from "./exports.schemas";

const format =
  "The job writes newline-delimited JSON to R2 in parts (one per job run, at most 5,000 lines each, so no channel is too big for it); the parts in order are the export. " +
  'Lines: `{"type":"channel",…}` and `{"type":"member",…}` records, `{"type":"message",…}` exactly as the REST API shows the message plus `held_originals` (versions a legal hold kept: edited or deleted text, with `reason`, `version_at`, `replaced_at`), ' +
  '`{"type":"reaction","message_id","emote_asset_id","user_id","created_at"}` (every reaction, not only the first 100 per emote), and `{"type":"attachment","message_id","asset_id","filename","content_type","size_bytes","r2_key"}`: the attachment manifest. ' +
  "Messages come in id (send) order; the export covers what existed when it was asked for (later messages are not in it). Times are unix seconds. See docs/retention.md.";

export const createExport = createRoute({
  method: "post",
  path: "/admin/v1/exports",
  tags: ["Compliance"],
  security: adminSecurity,
  summary: "Export channels or a user's data",
  description: `Operators only. ${format} Unknown channels are 404 \`CHAT_CHANNEL_NOT_FOUND\`, an unknown user (without \`channel_ids\`) 404 \`CHAT_USER_NOT_FOUND\`; neither \`channel_ids\` nor \`user_id\`, or \`from\` after \`to\`, is 400 \`VALIDATION_FAILED\`. Recorded in the audit log (\`export.request\`, then \`export.done\`).`,
  request: { body: jsonBody(ExportBody) },
  responses: { 202: json(Export, "Queued: poll GET /admin/v1/exports/{id}"), ...errorResponses(400, 404) },
});

export const getExport = createRoute({
  method: "get",
  path: "/admin/v1/exports/{exportID}",
  tags: ["Compliance"],
  security: adminSecurity,
  summary: "An export's state, with signed download URLs when done",
  description: "The URLs are signed for 24 hours and made afresh on every call; no Authorization header is needed to download. An unknown id is 404 `NOT_FOUND`.",
  request: { params: ExportParams },
  responses: { 200: json(Export, "The export"), ...errorResponses(404) },
});

export const exportMe = createRoute({
  method: "post",
  path: "/v1/users/me/export",
  tags: ["Users"],
  security: userSecurity,
  summary: "Export my data (GDPR Art. 15 and 20)",
  description: `Everything about the caller: the channels they are in (records and their membership), every message they sent in any channel (with held originals), their reactions and the manifest of their messages' attachments. ${format} While an export of theirs is unfinished, asking again answers that one (202).`,
  responses: { 202: json(Export, "Queued: poll GET /v1/users/me/exports/{id}"), ...errorResponses() },
});

export const getMyExport = createRoute({
  method: "get",
  path: "/v1/users/me/exports/{exportID}",
  tags: ["Users"],
  security: userSecurity,
  summary: "My export's state, with signed download URLs when done",
  description: "Only the caller's own exports: any other id is 404 `NOT_FOUND`. The URLs are signed for 24 hours, made afresh on every call.",
  request: { params: ExportParams },
  responses: { 200: json(Export, "The export"), ...errorResponses(404) },
});

export const downloadPart = createRoute({
  method: "get",
  path: "/exports/{exportID}/{part}",
  tags: ["Compliance"],
  summary: "Download one part of an export through its signed URL",
  description: "A URL from `urls` of an export: the signature over export id, part and expiry is the credential. A tampered or expired link is 403 `FILE_SIGNATURE_INVALID`; a part that no longer exists 404. The body is `application/x-ndjson`.",
  request: {
    params: ExportParams.extend({ part: z.string().openapi({ param: { name: "part", in: "path" }, example: "1" }) }),
    query: z.object({
      exp: z.string().optional().openapi({ example: "1735819200", description: "Expiry, unix seconds (part of the signed URL)" }),
      sig: z.string().optional().openapi({ example: "q8Vd2r0xWm6nA1cZ4kTfP9eHs3LbY7uJ5oGi0NwRt2E", description: "HMAC-SHA256 signature (part of the signed URL)" }),
    }),
  },
  responses: { 200: { description: "The part (NDJSON)", content: { "application/x-ndjson": { schema: z.string() } } }, ...errorResponses(403, 404) },
});
