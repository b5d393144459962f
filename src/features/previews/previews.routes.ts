import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, userSecurity as security } from "../../platform/openapi";
import { Message, MessageParams } from "../messages/messages.schemas";

export const removePreview = createRoute({
  method: "delete",
  path: "/v1/channels/{channelID}/messages/{messageID}/previews",
  tags: ["Messages"],
  security,
  summary: "Remove a message's link preview (author, or channel owner/admins)",
  description:
    "Link previews are made in the background after a send (DESIGN §18). The author, or the channel's owner/admins as moderators, remove one (`?url=` the preview's `url`) or all of them (no `url`). " +
    "A removed link is never previewed again on this message, an edit neither. Subscribers get a `message_update` with the message as it is now; the answer is that message. " +
    "404 `NOT_FOUND` when the message has no such preview.",
  request: {
    params: MessageParams,
    query: z.object({ url: z.string().max(2048).optional().openapi({ example: "https://example.com/article", description: "The preview's `url`; omitted: every preview of the message" }) }),
  },
  responses: { 200: json(Message, "The message without the removed preview"), ...errorResponses(400, 403, 404) },
});
