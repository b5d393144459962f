import { z } from "@hono/zod-openapi";
import { Message, MessageId } from "../messages/messages.schemas";

export const ListMentionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: MessageId.optional().openapi({ description: "Message id cursor: mentions older than it" }),
});

export const MentionList = z
  .object({
    messages: z.array(Message).openapi({ description: "Messages that mention you, newest first, from every channel you are in" }),
    has_more: z.boolean().openapi({ description: "Older mentions exist: ask again with before = the last id" }),
  })
  .openapi("MentionList");
