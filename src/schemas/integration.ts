import { z } from "@hono/zod-openapi";
import { SCOPES } from "../integration/auth";
import { USER_ID_PATTERN } from "../platform/schemas";

/** Connecteam sends user ids as numbers; ours are strings. Either is accepted. */
export const IntegrationUserId = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform(String)
  .refine((id) => USER_ID_PATTERN.test(id), "not a valid user id")
  .openapi({ type: "string", example: "12345" });

export const Paging = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  offset: z.coerce.number().int().min(0).default(0),
});

export const Conversation = z
  .object({ id: z.string(), title: z.string(), type: z.enum(["team", "channel"]) })
  .openapi("Conversation");

export const CreateConversationBody = z
  .object({
    title: z.string().trim().min(1).max(100),
    type: z.enum(["team", "channel"]).default("team"),
    assignedUserIds: z.array(IntegrationUserId).max(100).default([]),
    adminUserIds: z.array(IntegrationUserId).max(100).default([]),
  })
  .openapi("CreateConversation");

export const IntegrationAttachment = z.object({ type: z.enum(["image", "file"]), fileId: z.string().min(1).max(40) });

export const IntegrationMessageBody = z
  .object({
    senderId: z.number().int().positive().openapi({ description: "A custom publisher's id", example: 12345 }),
    text: z.string().default("").openapi({ description: "At most 1000 characters" }),
    attachments: z.array(IntegrationAttachment).max(10).default([]),
  })
  .openapi("IntegrationMessage");

export const SentMessage = z.object({ messageId: z.string(), conversationId: z.string() }).openapi("SentMessage");

export const GenerateUploadBody = z
  .object({
    fileName: z.string().min(1).max(255),
    fileTypeHint: z.string().max(200).optional(),
    featureType: z.literal("chat"),
  })
  .openapi("GenerateUploadUrl");

export const FileInfo = z
  .object({
    fileId: z.string(),
    fileName: z.string(),
    fileType: z.string(),
    fileSize: z.number().int(),
    status: z.enum(["pending", "completed"]),
    width: z.number().int().optional(),
    height: z.number().int().optional(),
  })
  .openapi("FileInfo");

export const Publisher = z.object({ id: z.number().int(), name: z.string(), imageUrl: z.string().nullable() }).openapi("Publisher");

export const PublisherBody = z
  .object({ name: z.string().trim().min(1).max(100), imageUrl: z.string().url().max(2048).nullable().optional() })
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
