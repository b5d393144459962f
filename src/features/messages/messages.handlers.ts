import { depsOf } from "../../platform/context";
import { inRoom } from "../../room/changes";
import type { AppRouteHandler } from "../../platform/openapi";
import type * as routes from "./messages.routes";
import * as service from "./messages.service";
import { sendInRoom } from "../../room/send/room-send";
import type { SendInput } from "../../room/wire";
import { scheduleMessage } from "../scheduled/scheduled.service";

export const listMessages: AppRouteHandler<typeof routes.listMessages> = async (c) =>
  c.json(await service.listMessages(depsOf(c), c.get("user").id, c.req.valid("param").channelID, c.req.valid("query")), 200);

export const sendMessage: AppRouteHandler<typeof routes.sendMessage> = async (c) => {
  const deps = depsOf(c);
  const me = c.get("user").id;
  const input = c.req.valid("json");
  const send = {
    channelId: c.req.valid("param").channelID,
    poster: { kind: "member" },
    senderId: me,
    uploaderId: me,
    body: input.body,
    inlineEmotes: input.inline_emotes,
    assetIds: input.attachments.map((a) => a.asset_id),
    idempotencyKey: c.req.valid("header")["idempotency-key"],
    mentionedUserIds: input.mentioned_user_ids,
    parentId: input.parent_id ?? undefined,
    unfurl: input.unfurl,
  } satisfies SendInput;
  // Send later (DESIGN §18): the channel's room keeps it and its alarm sends it (src/room/scheduled/).
  if (input.send_at !== undefined) return c.json({ scheduled_message: await scheduleMessage(deps, send, input.send_at) }, 202);
  // The send runs in the channel's room, which hands out positions (src/room/send/room-send.ts).
  const { message, replayed } = await sendInRoom(deps, send);
  return c.json(message, 201, replayed ? { "Idempotent-Replayed": "true" } : {});
};

export const editMessage: AppRouteHandler<typeof routes.editMessage> = async (c) => {
  const { channelID, messageID } = c.req.valid("param");
  const { body, inline_emotes = [], mentioned_user_ids } = c.req.valid("json");
  return c.json(await inRoom(depsOf(c), channelID, "editMessage", c.get("user").id, channelID, messageID, body, inline_emotes, mentioned_user_ids), 200);
};

export const deleteMessage: AppRouteHandler<typeof routes.deleteMessage> = async (c) => {
  const { channelID, messageID } = c.req.valid("param");
  await inRoom(depsOf(c), channelID, "deleteMessage", c.get("user").id, channelID, messageID);
  return c.body(null, 204);
};
