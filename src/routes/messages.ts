import { createRouter } from "../app";
import * as history from "../db/history/messages";
import { reactionsFor } from "../db/history/reactions";
import { isAdminRole, loadChannel, requireMember, requirePoster } from "../lib/access";
import { ApiError, messageNotFound } from "../lib/errors";
import { checkMessageContent } from "../lib/message-content";
import { messageJson } from "../lib/serialize";
import { sendMessage } from "../lib/send-message";
import { deleteObjects } from "../storage/attachments";
import { publish } from "../realtime/notify";
import * as routes from "./messages.routes";

export const messagesRouter = createRouter();

messagesRouter.openapi(routes.listMessages, async (c) => {
  const db = c.get("db");
  const access = await loadChannel(db, c.req.valid("param").channelID, c.get("user").id);
  requireMember(access);
  const page = await history.listMessages(db, access.channel.id, c.req.valid("query"));
  const reactions = await reactionsFor(db, page.messages.filter((m) => m.deletedAt === null).map((m) => m.id));
  return c.json(
    {
      messages: page.messages.map((m) => messageJson(m, reactions.get(m.id))),
      has_more: page.hasMore,
      ...("hasMoreAfter" in page ? { has_more_after: page.hasMoreAfter } : {}),
    },
    200,
  );
});

messagesRouter.openapi(routes.sendMessage, async (c) => {
  const db = c.get("db");
  const me = c.get("user").id;
  const access = await loadChannel(db, c.req.valid("param").channelID, me);
  await requirePoster(db, access, me);
  const input = c.req.valid("json");
  const { message, replayed } = await sendMessage(c, {
    channel: access.channel,
    senderId: me,
    uploaderId: me,
    body: input.body,
    inlineEmotes: input.inline_emotes,
    assetIds: input.attachments.map((a) => a.asset_id),
    idempotencyKey: c.req.valid("header")["idempotency-key"],
  });
  return c.json(message, 201, replayed ? { "Idempotent-Replayed": "true" } : {});
});

messagesRouter.openapi(routes.editMessage, async (c) => {
  const db = c.get("db");
  const me = c.get("user").id;
  const { channelID, messageID } = c.req.valid("param");
  const access = await loadChannel(db, channelID, me);
  await requirePoster(db, access, me);
  const message = await history.getMessage(db, access.channel.id, messageID);
  if (!message || message.deletedAt !== null) throw messageNotFound();
  if (message.senderId !== me) throw new ApiError("CHAT_NOT_MESSAGE_AUTHOR", "You can only edit your own messages");
  const { body, inline_emotes = [] } = c.req.valid("json");
  checkMessageContent(body, inline_emotes, message.attachments.length);
  const now = Date.now();
  await history.editMessage(db, message.id, body, inline_emotes, now);
  const reactions = await reactionsFor(db, [message.id]);
  const edited = messageJson({ ...message, body, inlineEmotes: inline_emotes, editedAt: now }, reactions.get(message.id));
  await publish(c, access.channel.id, "message_update", edited);
  return c.json(edited, 200);
});

messagesRouter.openapi(routes.deleteMessage, async (c) => {
  const db = c.get("db");
  const me = c.get("user").id;
  const { channelID, messageID } = c.req.valid("param");
  const access = await loadChannel(db, channelID, me);
  const membership = requireMember(access);
  const message = await history.getMessage(db, access.channel.id, messageID);
  if (!message || message.deletedAt !== null) throw messageNotFound();
  if (message.senderId !== me && !isAdminRole(membership.role)) {
    throw new ApiError("CHAT_NOT_MESSAGE_AUTHOR", "Only the author or a channel admin can delete this message");
  }
  const now = Date.now();
  const assetIds = message.attachments.map((a) => a.asset_id);
  await history.softDeleteMessage(db, message.id, assetIds, now);
  await deleteObjects(c.env, assetIds);
  await publish(c, access.channel.id, "message_delete", messageJson({ ...message, deletedAt: now }));
  return c.body(null, 204);
});
