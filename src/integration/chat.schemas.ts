import { z } from "@hono/zod-openapi";
import { codePoints } from "../platform/schemas";
import { IntegrationUserId, LaxInt } from "./common.schemas";

// ---- chat ------------------------------------------------------------------------------------

export const Paging = z.object({
  limit: LaxInt(1, 100).default(10).openapi({ param: { name: "limit", in: "query" }, type: "integer", default: 10, minimum: 1, maximum: 100 }),
  offset: LaxInt(0).default(0).openapi({ param: { name: "offset", in: "query" }, type: "integer", default: 0, minimum: 0 }),
});

export const ConversationTypeResponse = z.enum(["team", "channel"]).openapi("ConversationTypeResponse");
export const ConversationType = z.enum(["team", "channel"]).openapi("ConversationType");

export const ConversationResponse = z
  .object({
    id: z.string().openapi({ example: "1234567890123456789" }),
    title: z.string().openapi({ example: "Warehouse shift B" }),
    type: ConversationTypeResponse,
    conversationSource: z.string().openapi({
      example: "api",
      description: "Origin of the conversation: \"api\" (created through POST /chat/v1/conversations) or \"app\" (created by a user in the chat app, /v1)",
    }),
  })
  .openapi("ConversationResponse");

export const ConversationsResponse = z.object({ conversations: z.array(ConversationResponse) }).openapi("ConversationsResponse");

const IdList = (description: string, example: number[]) =>
  z.array(IntegrationUserId).max(1000).optional().openapi({ type: "array", items: { type: "integer" }, description, example });

/** At most this many assigned users (the reference sets no cap; lookups are chunked under D1's 100 parameters). */
export const MAX_ASSIGNED_USERS = 1000;

export const ConversationMutationRequest = z
  .object({
    title: z
      .string()
      .trim()
      .refine((s) => s.length > 0, { message: "Title must be non-empty after trimming whitespace", params: { type: "value_error" } })
      .refine((s) => codePoints(s) <= 100, { message: "Title should have at most 100 characters", params: { type: "string_too_long" } })
      .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message: "Title must not contain control characters", params: { type: "value_error" } })
      .openapi({ example: "Warehouse shift B" }),
    type: ConversationType,
    assignedUserIds: IdList("Users assigned as members (at least one, or a smart group)", [12345, 12346, 12347]),
    assignedSmartGroupIds: z
      .array(LaxInt())
      .max(100)
      .optional()
      .openapi({ type: "array", items: { type: "integer" }, description: "Smart groups do not exist here: any id is 404", example: [] }),
    adminUserIds: IdList("Assigned users made admins (the first is the owner); ids not also assigned are ignored", [12345]),
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
      .openapi({ type: "array", items: { type: "object" }, description: "Rich-text blocks, stored with the conversation", example: [{ type: "html", html: "<p>Handover notes for shift B</p>" }] }),
  })
  .openapi("ConversationMutationRequest");

export const ConversationDetailsResponse = z
  .object({
    id: z.string().openapi({ example: "1234567890123456789" }),
    title: z.string().openapi({ example: "Warehouse shift B" }),
    type: ConversationType,
    assignedUserIds: z.array(z.number().int()).openapi({ example: [12345, 12346, 12347] }),
    assignedSmartGroupIds: z.array(z.number().int()).openapi({ example: [] }),
    adminUserIds: z.array(z.number().int()).openapi({ example: [12345] }),
    isLocked: z.boolean().optional(),
    isMembersHidden: z.boolean().optional().openapi({ default: false }),
    description: z
      .array(z.record(z.string(), z.unknown()).openapi({ type: "object" }))
      .optional()
      .openapi({ example: [{ type: "html", html: "<p>Handover notes for shift B</p>" }] }),
  })
  .openapi("ConversationDetailsResponse");

export const ConversationMutationResponse = z.object({ conversation: ConversationDetailsResponse }).openapi("ConversationMutationResponse");

const FileId = z.string().min(1).max(40).openapi({ example: "1234567890123456790", description: "A completed upload of this API key (generate-upload-url, then complete-upload)" });
export const ImageAttachmentRequest = z.object({ type: z.literal("image"), fileId: FileId }).openapi("ImageAttachmentRequest");
export const FileAttachmentRequest = z.object({ type: z.literal("file"), fileId: FileId }).openapi("FileAttachmentRequest");

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
      .openapi({ maxLength: MAX_TEXT_CHARS, description: "At most 1000 characters; may be empty only with attachments", example: "Shift B starts at 14:00 today. Please check in at the east gate." }),
    attachments: z
      .array(z.discriminatedUnion("type", [ImageAttachmentRequest, FileAttachmentRequest]))
      .max(10)
      .default([])
      .openapi({ description: "Any number of images (at most 10 attachments), at most one other file", example: [{ type: "image", fileId: "1234567890123456790" }] }),
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
  .object({
    messageId: z.string().optional().openapi({ example: "1234567890123456812" }),
    conversationId: z.string().optional().openapi({ example: "1234567890123456789" }),
  })
  .openapi("BaseResponse", { description: "Extension: the new message's id and its conversation's id are always sent" });

