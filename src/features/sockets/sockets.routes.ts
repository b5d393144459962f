import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, userSecurity as security } from "../../platform/openapi";
import { ChannelParams } from "../channels/channels.schemas";
import { ChannelServerFrame, UserServerFrame } from "../../room/protocol";

/** A 101 whose body schema is the protocol's frames: what a generator needs to type the socket. */
const upgraded = (frames: z.ZodTypeAny, description: string) => ({ description, content: { "application/json": { schema: frames } } });

const tags = ["Real-time"];

const SocketQuery = z.object({
  ticket: z.string().optional(),
  since_seq: z.string().regex(/^\d{1,15}$/, "since_seq is a non-negative integer").transform(Number).optional(),
});

/** A channel socket also names the epoch its `since_seq` was counted in (`ready` gives both). */
const ChannelSocketQuery = SocketQuery.extend({
  epoch: z.string().regex(/^\d{1,16}$/, "epoch is the number `ready` gave").transform(Number).optional(),
});

export const openSocket = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}/ws",
  tags,
  security,
  summary: "Open the channel's WebSocket (Bearer header, or ?ticket= from ws-ticket)",
  description:
    'Members only. Server frames: `{"type","channel_id","seq","data"}` (schema `ChannelServerFrame`, one component per frame type); `ready` first. ' +
    "State changes (`message`, `message_update`, `message_delete`, `reaction_*`, `member_*`, `channel_*`) carry the channel's gap-free `seq`; " +
    "`?since_seq=N&epoch=E` (both from the last `ready` or event) replays every event after N (24 h), or sends `resync_required` when those are gone or E is not the room log's epoch. " +
    "A ticket opens one socket. Ephemeral frames (`typing`, `read`, `presence`, `error`, `ack`) have `seq: null`. " +
    "Client frames (schema `ChannelClientFrame`): `typing`, and `send` (a message, answered by `ack` or `error` with its `client_msg_id`). " +
    "The text `ping` is answered `pong`. Close codes: 4003 removed from the channel, 4004 channel deleted.",
  request: {
    params: ChannelParams,
    query: ChannelSocketQuery,
  },
  responses: { 101: upgraded(ChannelServerFrame, "Switching Protocols; the socket then carries ChannelServerFrame frames"), ...errorResponses(400, 401, 403, 404, 426) },
});

export const socketTicket = createRoute({
  method: "post",
  path: "/v1/channels/{channelID}/ws-ticket",
  tags,
  security,
  summary: "A 60-second ticket for opening the WebSocket where headers cannot be set",
  description:
    "Browsers cannot set an Authorization header on a WebSocket: get a ticket with your token, then open `GET …/ws?ticket=…` within 60 seconds. " +
    "A ticket opens this channel's socket once, for you; members only.",
  request: { params: ChannelParams },
  responses: { 200: json(z.object({ ticket: z.string(), expires_at: z.number().int() }), "A ticket"), ...errorResponses(403, 404) },
});

export const openUserSocket = createRoute({
  method: "get",
  path: "/v1/ws",
  tags,
  security,
  summary: "Open your user socket: every channel at once (Bearer header, or ?ticket= from /v1/ws-ticket)",
  description:
    'One socket per user for the channel list: frames `{"type","seq","data"}` with a per-user gap-free `seq`. `ready` (`{"user_id","seq"}`) first; ' +
    '`notify` for each new message in any of your channels (`{"channel_id","message_id","parent_id","sender_id","created_at","mentions_me"}`), ' +
    '`channel_add` (the channel), `channel_remove` (`{"channel_id"}`), `channel_update` (the channel). `?since_seq=N` replays what came after N, ' +
    "or sends `resync_required` (refetch the channel list) when the socket was closed longer than 2 minutes or the gap is no longer kept. " +
    "While any of your sockets (this one or a channel's) is open you are online.",
  request: { query: SocketQuery },
  responses: { 101: upgraded(UserServerFrame, "Switching Protocols; the socket then carries UserServerFrame frames"), ...errorResponses(400, 401, 426) },
});

export const userSocketTicket = createRoute({
  method: "post",
  path: "/v1/ws-ticket",
  tags,
  security,
  summary: "A 60-second ticket for opening your user socket where headers cannot be set",
  description: "Good only for `GET /v1/ws` (a channel's ticket does not open the user socket, nor this one a channel's).",
  responses: { 200: json(z.object({ ticket: z.string(), expires_at: z.number().int() }), "A ticket") },
});
