import { z } from "@hono/zod-openapi";
import { Message } from "../messages/messages.schemas";

export const PinnedMessages = z.object({ messages: z.array(Message) }).openapi("PinnedMessages");
