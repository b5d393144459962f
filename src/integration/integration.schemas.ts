import { z } from "@hono/zod-openapi";
import { SCOPES } from "./scopes";
import { codePoints } from "../platform/schemas";

/*
 * The integration API's schemas mirror Connecteam's OpenAPI document
 * (test/fixtures/connecteam-chat-openapi.json): same component names, properties, types, enums and
 * required lists, so /openapi.json shows the reference's schemas. Where we add a field it is an
 * optional extension; test/integration-conformance.test.ts fails on any drift.
 */

/**
 * An integer as FastAPI/pydantic (lax mode) accepts it: a JSON integer or a string of digits.
 * Connecteam's ids are integers; ours are strings, so a user id here is the decimal string.
 */
export const LaxInt = (min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .preprocess((v) => (typeof v === "string" && /^\s*[+-]?\d+\s*$/.test(v) ? Number(v.trim()) : v), z.number().int().min(min).max(max))
    .openapi({ type: "integer" });

/** Connecteam user ids are integers; here they name the user whose id is that decimal string. */
export const IntegrationUserId = LaxInt().transform(String);

// ---- envelopes -------------------------------------------------------------------------------

export const PagingResponseModel = z
  .object({
    offset: z.number().int().min(0).openapi({ description: "Offset of the next page (offset + items returned)" }),
    total: z.number().int().min(0).optional(),
  })
  .openapi("PagingResponseModel");

/** `{"requestId", "data"}` (APIResponse[...] in the reference). */
export const apiResponse = <T extends z.ZodType>(name: string, data: T) =>
  z.object({ requestId: z.string().optional().openapi({ description: "Always sent" }), data }).openapi(name);

/** `{"requestId", "data", "paging"}` (PaginatedBaseResponse[...] in the reference). */
export const paginatedResponse = <T extends z.ZodType>(name: string, data: T) =>
  z.object({ requestId: z.string().optional().openapi({ description: "Always sent" }), data, paging: PagingResponseModel }).openapi(name);

export const ValidationError = z
  .object({ loc: z.array(z.union([z.string(), z.number().int()])), msg: z.string(), type: z.string() })
  .openapi("ValidationError");

export const HTTPValidationError = z.object({ detail: z.array(ValidationError).optional() }).openapi("HTTPValidationError");

/** Every other error: `{"error": "<message>", "path", "request_id"}` (ValidationErrorResponse allows it). */
export const IntegrationError = z
  .object({
    error: z.string(),
    path: z.string(),
    request_id: z.string(),
  })
  .openapi("IntegrationError");

// ---- chat ------------------------------------------------------------------------------------

export const Paging = z.object({
  limit: LaxInt(1, 100).default(10).openapi({ param: { name: "limit", in: "query" }, type: "integer", default: 10, minimum: 1, maximum: 100 }),
  offset: LaxInt(0).default(0).openapi({ param: { name: "offset", in: "query" }, type: "integer", default: 0, minimum: 0 }),
});

export const ConversationTypeResponse = z.enum(["team", "channel"]).openapi("ConversationTypeResponse");
export const ConversationType = z.enum(["team", "channel"]).openapi("ConversationType");

export const ConversationResponse = z
  .object({
    id: z.string(),
    title: z.string(),
    type: ConversationTypeResponse,
    conversationSource: z.string().openapi({
      description: "Origin of the conversation: \"api\" (created through POST /chat/v1/conversations) or \"app\" (created by a user in the chat app, /v1)",
    }),
  })
  .openapi("ConversationResponse");

export const ConversationsResponse = z.object({ conversations: z.array(ConversationResponse) }).openapi("ConversationsResponse");

const IdList = (description: string) => z.array(IntegrationUserId).max(1000).optional().openapi({ type: "array", items: { type: "integer" }, description });

/** At most this many assigned users (the reference sets no cap; lookups are chunked under D1's 100 parameters). */
export const MAX_ASSIGNED_USERS = 1000;

export const ConversationMutationRequest = z
  .object({
    title: z
      .string()
      .trim()
      .refine((s) => s.length > 0, { message: "Title must be non-empty after trimming whitespace", params: { type: "value_error" } })
      .refine((s) => codePoints(s) <= 100, { message: "Title should have at most 100 characters", params: { type: "string_too_long" } })
      .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message: "Title must not contain control characters", params: { type: "value_error" } }),
    type: ConversationType,
    assignedUserIds: IdList("Users assigned as members (at least one, or a smart group)"),
    assignedSmartGroupIds: z
      .array(LaxInt())
      .max(100)
      .optional()
      .openapi({ type: "array", items: { type: "integer" }, description: "Smart groups do not exist here: any id is 404" }),
    adminUserIds: IdList("Assigned users made admins (the first is the owner); ids not also assigned are ignored"),
    isLocked: z.boolean().optional().openapi({ description: "Locked: only admins post (stored as a broadcast group)" }),
    isMembersHidden: z
      .boolean()
      .default(false)
      .refine((hidden) => !hidden, { message: "Hidden member lists are not supported here: every member can list the members", params: { type: "value_error" } })
      .openapi({ description: "Only false is supported here (every member can list the members)" }),
    description: z
      .array(z.record(z.string(), z.unknown()))
      .max(50)
      .optional()
      .openapi({ type: "array", items: { type: "object" }, description: "Rich-text blocks, stored with the conversation" }),
  })
  .openapi("ConversationMutationRequest");

export const ConversationDetailsResponse = z
  .object({
    id: z.string(),
    title: z.string(),
    type: ConversationType,
    assignedUserIds: z.array(z.number().int()),
    assignedSmartGroupIds: z.array(z.number().int()),
    adminUserIds: z.array(z.number().int()),
    isLocked: z.boolean().optional(),
    isMembersHidden: z.boolean().optional().openapi({ default: false }),
    description: z.array(z.record(z.string(), z.unknown()).openapi({ type: "object" })).optional(),
  })
  .openapi("ConversationDetailsResponse");

export const ConversationMutationResponse = z.object({ conversation: ConversationDetailsResponse }).openapi("ConversationMutationResponse");

export const ImageAttachmentRequest = z.object({ type: z.literal("image"), fileId: z.string().min(1).max(40) }).openapi("ImageAttachmentRequest");
export const FileAttachmentRequest = z.object({ type: z.literal("file"), fileId: z.string().min(1).max(40) }).openapi("FileAttachmentRequest");

export const MAX_TEXT_CHARS = 1000;

export const ConversationPostMessageRequest = z
  .object({
    senderId: LaxInt(1).openapi({ description: "A custom publisher's id", example: 12345 }),
    text: z
      .string()
      .refine((s) => codePoints(s) <= MAX_TEXT_CHARS, {
        message: `String should have at most ${MAX_TEXT_CHARS} characters`,
        params: { type: "string_too_long" },
      })
      .openapi({ maxLength: MAX_TEXT_CHARS, description: "At most 1000 characters; may be empty only with attachments" }),
    attachments: z
      .array(z.discriminatedUnion("type", [ImageAttachmentRequest, FileAttachmentRequest]))
      .max(10)
      .default([])
      .openapi({ description: "Any number of images (at most 10 attachments), at most one other file" }),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.attachments.forEach((a, i) => {
      if (seen.has(a.fileId)) ctx.addIssue({ code: "custom", path: ["attachments", i, "fileId"], message: "This file is already attached", params: { type: "value_error" } });
      seen.add(a.fileId);
    });
    if (body.attachments.filter((a) => a.type === "file").length > 1) {
      ctx.addIssue({ code: "custom", path: ["attachments"], message: "Only one non-image attachment is allowed", params: { type: "value_error" } });
    }
  })
  .openapi("ConversationPostMessageRequest");

/** Data of a sent message: BaseResponse (no fields required) with the new message's ids. */
export const BaseResponse = z
  .object({ messageId: z.string().optional(), conversationId: z.string().optional() })
  .openapi("BaseResponse", { description: "Extension: the new message's id and its conversation's id are always sent" });

// ---- attachments -----------------------------------------------------------------------------

export const AttachmentsFeatureTypeEnum = z.enum(["chat", "shiftscheduler", "users", "quicktasks"]).openapi("AttachmentsFeatureTypeEnum");

export const FileURLCreateRequest = z
  .object({
    fileName: z.string().min(1).max(255),
    fileTypeHint: z.string().max(200).optional(),
    featureType: AttachmentsFeatureTypeEnum.refine((f) => f === "chat", {
      message: "Only the chat feature exists here",
      params: { type: "value_error" },
    }),
  })
  .openapi("FileURLCreateRequest");

const Url = z.string().min(1).max(65536).openapi({ format: "uri" });

export const FileURLResponse = z.object({ fileId: z.string(), uploadFileUrl: Url }).openapi("FileURLResponse");

/** Extensions beside the reference's fields (all optional there and here). */
const FileExtras = {
  fileName: z.string().optional(),
  fileSize: z.number().int().optional().openapi({ description: "Bytes (0 until uploaded)" }),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
};

export const GetFileURLResponse = z
  .object({
    fileId: z.string(),
    fileUrl: Url.optional().openapi({ description: "A signed download URL (1 h), once the upload is complete" }),
    uploadCompleted: z.boolean(),
    fileType: z.string(),
    featureType: z.string(),
    ...FileExtras,
  })
  .openapi("GetFileURLResponse");

export const FileCompleteUploadResponse = z
  .object({
    fileId: z.string(),
    fileUrl: Url.optional(),
    uploadCompleted: z.boolean().optional(),
    fileType: z.string().optional(),
    featureType: z.string().optional(),
    ...FileExtras,
  })
  .openapi("FileCompleteUploadResponse");

export const MIN_DOWNLOAD_TTL = 5;
export const MAX_DOWNLOAD_TTL = 86_400;

export const FileDownloadURLRequest = z
  .object({
    fileUrl: z.string().max(65536).openapi({ description: "A file URL from GET /attachments/v1/files/{fileId}" }),
    expirationInSeconds: LaxInt(MIN_DOWNLOAD_TTL, MAX_DOWNLOAD_TTL).default(3600).openapi({ type: "integer", minimum: 5, maximum: 86400, default: 3600 }),
  })
  .openapi("FileDownloadURLRequest");

export const FileDownloadURLResponse = z.object({ url: z.string(), expiresInSeconds: z.number().int() }).openapi("FileDownloadURLResponse");

// ---- publishers ------------------------------------------------------------------------------

export const PublisherResponse = z
  .object({
    id: z.number().int(),
    name: z.string(),
    imageUrl: z.string().openapi({ description: "An https URL, or \"\" when the publisher has no image" }),
  })
  .openapi("PublisherResponse");

export const PublishersResponse = z.object({ publishers: z.array(PublisherResponse) }).openapi("PublishersResponse");

// ---- OAuth -----------------------------------------------------------------------------------

export const OAuthTokenRequest = z
  .object({
    grant_type: z.string().default("client_credentials").openapi({ description: "Must be client_credentials (the default)" }),
    scope: z.string().nullable().optional().openapi({ description: "Space-separated scopes: a subset of the key's (default: all of them)" }),
  })
  .openapi("Body_oauth_token_docs_oauth_v1_token_post");

export const OAuthTokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.string().openapi({ description: "Always \"bearer\"" }),
    expires_in: z.number().int(),
    scope: z.string().nullable().optional(),
  })
  .openapi("OAuthTokenResponse");

// ---- admin side (ours) -----------------------------------------------------------------------

/** The admin API's view of a publisher: `imageUrl` is null when there is none. */
export const Publisher = z.object({ id: z.number().int(), name: z.string(), imageUrl: z.string().nullable() }).openapi("Publisher");

/** An absolute https URL: publisher images are shown by chat clients, so nothing else (no javascript:, data:, http:). */
export const HttpsUrl = z
  .string()
  .max(2048)
  .refine(
    (s) => {
      try {
        const url = new URL(s);
        return url.protocol === "https:" && url.hostname !== "" && !url.username && !url.password;
      } catch {
        return false;
      }
    },
    { message: "imageUrl must be an https URL" },
  )
  .openapi({ format: "uri", example: "https://example.com/bot.png" });

export const PublisherBody = z
  .object({ name: z.string().trim().min(1).max(100), imageUrl: HttpsUrl.nullable().optional() })
  .openapi("PublisherInput");

export const UpdatePublisherBody = PublisherBody.partial()
  .refine((b) => b.name !== undefined || b.imageUrl !== undefined, { message: "give name or imageUrl" })
  .openapi("PublisherUpdate");

export const CreateApiKeyBody = z
  .object({ name: z.string().trim().min(1).max(100), scopes: z.array(z.enum(SCOPES)).min(1) })
  .openapi("CreateApiKey");

export const ApiKeyInfo = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.string()),
    created_at: z.number().int(),
    last_used_at: z.number().int().nullable(),
    revoked: z.boolean(),
  })
  .openapi("ApiKey");
