import { createRoute } from "@hono/zod-openapi";
import { createRouter } from "../app";
import { messagePosition } from "../db/history/messages";
import { setReadCursor } from "../db/queries/members";
import { loadChannel, requireMember } from "../lib/access";
import { messageNotFound } from "../lib/errors";
import { seconds } from "../lib/serialize";
import { sendToUser } from "../realtime/notify";
import { ChannelParams, errorResponses, json, jsonBody } from "../schemas/common";
import { ReadBody, ReadCursor } from "../schemas/messages";

export const readRouter = createRouter();

readRouter.openapi(
  createRoute({
    method: "post",
    path: "/v1/channels/{channelID}/read",
    tags: ["Messages"],
    security: [{ bearerAuth: [] }],
    summary: "Move your read cursor to a message (forwards, or back to mark unread)",
    request: { params: ChannelParams, body: jsonBody(ReadBody) },
    responses: { 200: json(ReadCursor, "Your cursor"), ...errorResponses(400, 403, 404) },
  }),
  async (c) => {
    const db = c.get("db");
    const me = c.get("user").id;
    const access = await loadChannel(db, c.req.valid("param").channelID, me);
    requireMember(access);
    const messageId = c.req.valid("json").last_read_message_id;
    const position = await messagePosition(db, access.channel.id, messageId);
    if (position === undefined) throw messageNotFound();
    const now = Date.now();
    await setReadCursor(db, access.channel.id, me, messageId, position, now);
    const cursor = { channel_id: access.channel.id, last_read_message_id: messageId, updated_at: seconds(now) };
    // Only the reader's own sockets: their other devices clear the badge.
    await sendToUser(c, access.channel.id, me, "read", { user_id: me, ...cursor });
    return c.json(cursor, 200);
  },
);
