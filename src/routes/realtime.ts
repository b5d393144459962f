import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../app";
import { getUser } from "../db/queries/users";
import { loadChannel, requireMember, requirePoster } from "../lib/access";
import { ApiError } from "../lib/errors";
import { signWsTicket, verifyWsTicket } from "../lib/tokens";
import { authenticate, bearer } from "../middleware/auth";
import { enforceUserRateLimit } from "../middleware/rate-limit";
import { roomOf } from "../realtime/notify";
import { ROOM_CAN_POST_HEADER, ROOM_CHANNEL_HEADER, ROOM_USER_HEADER } from "../realtime/protocol";
import { ChannelParams, errorResponses, json } from "../schemas/common";

const security = [{ bearerAuth: [] }];
const tags = ["Real-time"];

/** The WebSocket upgrade authenticates itself (Bearer or ticket), so it is mounted before `/v1/*` auth. */
export const socketRouter = createRouter();

socketRouter.openapi(
  createRoute({
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
  }),
  async (c) => {
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError("UPGRADE_REQUIRED", "Send Upgrade: websocket");
    }
    const { channelID } = c.req.valid("param");
    const { ticket, since_seq } = c.req.valid("query");
    if (ticket && !c.req.header("Authorization")) {
      const userId = await verifyWsTicket(c.env.FILE_URL_SECRET, ticket, channelID);
      if (!userId) throw new ApiError("AUTH_INVALID_TOKEN", "Ticket is invalid, expired or for another channel");
      const user = await getUser(c.get("db"), userId);
      if (!user) throw new ApiError("AUTH_INVALID_TOKEN", "Ticket names an unknown user");
      c.set("user", { id: user.id, name: user.displayName });
    } else {
      await authenticate(c, bearer(c.req.header("Authorization")));
    }
    await enforceUserRateLimit(c);
    const access = await loadChannel(c.get("db"), channelID, c.get("user").id);
    requireMember(access);
    // Whether this socket's typing frames count: the same rule as sending, decided once here.
    const canPost = await requirePoster(c.get("db"), access, c.get("user").id).then(
      () => true,
      () => false,
    );

    const url = new URL(c.req.url);
    url.search = since_seq === undefined ? "" : `?since_seq=${since_seq}`;
    const forwarded = new Request(url, { headers: { Upgrade: "websocket" } });
    forwarded.headers.set(ROOM_USER_HEADER, c.get("user").id);
    forwarded.headers.set(ROOM_CHANNEL_HEADER, access.channel.id);
    if (canPost) forwarded.headers.set(ROOM_CAN_POST_HEADER, "1");
    const upgraded: Response = await roomOf(c.env, access.channel.id).fetch(forwarded);
    return upgraded as never;
  },
);

export const realtimeRouter = createRouter();

realtimeRouter.openapi(
  createRoute({
    method: "post",
    path: "/v1/channels/{channelID}/ws-ticket",
    tags,
    security,
    summary: "A 60-second ticket for opening the WebSocket where headers cannot be set",
    request: { params: ChannelParams },
    responses: { 200: json(z.object({ ticket: z.string(), expires_at: z.number().int() }), "A ticket"), ...errorResponses(403, 404) },
  }),
  async (c) => {
    const me = c.get("user").id;
    const access = await loadChannel(c.get("db"), c.req.valid("param").channelID, me);
    requireMember(access);
    return c.json(await signWsTicket(c.env.FILE_URL_SECRET, me, access.channel.id), 200);
  },
);

realtimeRouter.openapi(
  createRoute({
    method: "post",
    path: "/v1/channels/{channelID}/typing",
    tags,
    security,
    summary: "You are typing: others see a typing event (at most one per 3 s); lasts 8 s",
    request: { params: ChannelParams },
    responses: { 204: { description: "Noted" }, ...errorResponses(403, 404) },
  }),
  async (c) => {
    const me = c.get("user").id;
    const access = await loadChannel(c.get("db"), c.req.valid("param").channelID, me);
    // Typing announces a message to come: only those who may send one.
    await requirePoster(c.get("db"), access, me);
    await roomOf(c.env, access.channel.id).typing(access.channel.id, me);
    return c.body(null, 204);
  },
);

realtimeRouter.openapi(
  createRoute({
    method: "get",
    path: "/v1/channels/{channelID}/typing",
    tags,
    security,
    summary: "Who is typing now",
    request: { params: ChannelParams },
    responses: { 200: json(z.object({ typing_users: z.array(z.string()) }), "Typing users"), ...errorResponses(403, 404) },
  }),
  async (c) => {
    const access = await loadChannel(c.get("db"), c.req.valid("param").channelID, c.get("user").id);
    requireMember(access);
    return c.json({ typing_users: await roomOf(c.env, access.channel.id).typingUsers() }, 200);
  },
);
