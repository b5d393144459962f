import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, userSecurity as security } from "../../platform/openapi";
import { ChannelParams } from "../channels/channels.schemas";
import { MessageParams } from "../messages/messages.schemas";
import { PinnedMessages } from "./pins.schemas";
import { MAX_PINS } from "./pins.service";

const tags = ["Pins"];

export const listPins = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}/pins",
  tags,
  security,
  summary: "List pinned messages, most recently pinned first (members only)",
  description: `At most ${MAX_PINS} (the cap per channel), so there is no paging.`,
  request: { params: ChannelParams },
  responses: { 200: json(PinnedMessages, "Pinned messages"), ...errorResponses(403, 404) },
});

export const pinMessage = createRoute({
  method: "put",
  path: "/v1/channels/{channelID}/pins/{messageID}",
  tags,
  security,
  summary: "Pin a message (whoever may post; idempotent)",
  description:
    `Any live message of the channel, replies included. At most ${MAX_PINS} pinned per channel (400 \`CHAT_TOO_MANY_PINS\`). ` +
    "A change emits `message_update` with `pinned_at`/`pinned_by` set; pinning a pinned message changes nothing and emits nothing.",
  request: { params: MessageParams },
  responses: { 204: { description: "Pinned" }, ...errorResponses(400, 403, 404) },
});

export const unpinMessage = createRoute({
  method: "delete",
  path: "/v1/channels/{channelID}/pins/{messageID}",
  tags,
  security,
  summary: "Unpin a message (whoever may post; idempotent)",
  description:
    "A change emits `message_update` with `pinned_at`/`pinned_by` null; unpinning a message that is not pinned changes nothing and emits nothing. " +
    "A deleted message is already unpinned: 404 `CHAT_MESSAGE_NOT_FOUND`, like any message that is not there.",
  request: { params: MessageParams },
  responses: { 204: { description: "Unpinned" }, ...errorResponses(403, 404) },
});
