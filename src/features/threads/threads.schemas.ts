import { z } from "@hono/zod-openapi";
import { MessageId } from "../messages/messages.schemas";

/** A thread pages like the channel: newest first, `before` or `after` a reply's id. */
export const ListRepliesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(50),
    before: MessageId.optional(),
    after: MessageId.optional(),
  })
  .refine((q) => !(q.before && q.after), "use at most one of before, after");
