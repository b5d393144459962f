import { createRouter } from "../app";
import * as history from "../db/history/messages";
import { reactionsFor } from "../db/history/reactions";
import { isAdminRole, loadChannel, requireMember, requirePoster } from "../lib/access";
import { isUniqueViolation } from "../lib/db-errors";
import { ApiError, messageNotFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { checkMessageContent } from "../lib/message-content";
import { resolveAttachments } from "../lib/message-attachments";
import { messageJson } from "../lib/serialize";
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
  checkMessageContent(input.body, input.inline_emotes, input.attachments.length);

  const now = Date.now();
  const key = c.req.valid("header")["idempotency-key"];
  const replay = key ? await history.findByIdempotencyKey(db, me, key, now) : undefined;
  if (replay) return c.json(messageJson(replay), 201, { "Idempotent-Replayed": "true" });
  const attachments = await resolveAttachments(db, me, input.attachments.map((a) => a.asset_id));

  try {
    const message = await history.insertMessage(db, {
      id: newId(now),
      channelId: access.channel.id,
      senderId: me,
      body: input.body,
      inlineEmotes: input.inline_emotes,
      attachments,
      now,
      unhide: access.channel.type === "dm",
      idempotencyKey: key,
    });
    const body = messageJson(message);
    await publish(c, access.channel.id, "message", body);
    return c.json(body, 201);
  } catch (err) {
    if (isUniqueViolation(err, "message_attachments")) {
      throw new ApiError("CHAT_ATTACHMENT_IN_USE", "An attachment was just used by another message");
    }
    // A concurrent retry with the same key won the race: answer with its message.
    const raced = key && isUniqueViolation(err) ? await history.findByIdempotencyKey(db, me, key, now) : undefined;
    if (!raced) throw err;
    return c.json(messageJson(raced), 201, { "Idempotent-Replayed": "true" });
  }
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
