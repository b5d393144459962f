import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, userSecurity as security } from "../../platform/openapi";
import { ChannelParams } from "../channels/channels.schemas";

const tags = ["Real-time"];

export const openSocket = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}/ws",
  tags,
  security,
  summary: "Open the channel's WebSocket (Bearer header, or ?ticket= from ws-ticket)",
  description:
    'Server frames: `{"type","channel_id","seq","data"}`; `ready` first. `?since_seq=N` replays every event after N, or sends `resync_required`.',
  request: {
    params: ChannelParams,
    query: z.object({
      ticket: z.string().optional(),
      since_seq: z.string().regex(/^\d{1,15}$/, "since_seq is a non-negative integer").transform(Number).optional(),
    }),
  },
  responses: { 101: { description: "Switching Protocols" }, ...errorResponses(400, 403, 404, 426) },
});

export const socketTicket = createRoute({
  method: "post",
  path: "/v1/channels/{channelID}/ws-ticket",
  tags,
  security,
  summary: "A 60-second ticket for opening the WebSocket where headers cannot be set",
  request: { params: ChannelParams },
  responses: { 200: json(z.object({ ticket: z.string(), expires_at: z.number().int() }), "A ticket"), ...errorResponses(403, 404) },
});
