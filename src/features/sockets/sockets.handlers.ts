import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { authenticateUser, bearer } from "../../platform/auth";
import { ApiError, invalidToken } from "../../platform/errors";
import type { AppRouteHandler } from "../../platform/openapi";
import { enforceUserRateLimit } from "../../platform/rate-limit";
import { signWsTicket, verifyWsTicket } from "../../platform/tokens";
import { d1Of, hubOf } from "../../realtime/hubs";
import { roomOf } from "../../realtime/notify";
import { HUB_USER_HEADER, ROOM_CAN_POST_HEADER, ROOM_CHANNEL_HEADER, ROOM_ONLINE_HEADER, ROOM_USER_HEADER } from "../../realtime/protocol";
import { PRESENCE_MAX_MEMBERS, onlineMembers } from "../../realtime/sockets.queries";
import { loadChannel, requireMember, requirePoster } from "../channels/access";
import { getUser } from "../users/users.queries";
import type * as routes from "./sockets.routes";

/** What a user socket's ticket names instead of a channel id (never a channel's: those are 19 digits). */
const USER_SOCKET = "user";

/**
 * The upgrade's user: a ticket (browsers cannot set headers on a WebSocket), else the Bearer token.
 * `channelId` is the channel the ticket must name (`USER_SOCKET` for the user socket).
 */
async function socketUser(c: Context<AppEnv>, channelId: string, ticket: string | undefined) {
  if (!ticket || c.req.header("Authorization")) return authenticateUser(c.get("db"), c.env, bearer(c.req.header("Authorization")));
  const userId = await verifyWsTicket(c.env.FILE_URL_SECRET, ticket, channelId);
  if (!userId) throw invalidToken("Ticket is invalid, expired or for another channel");
  const user = await getUser(c.get("db"), userId);
  if (!user) throw invalidToken("Ticket names an unknown user");
  return { id: user.id, name: user.displayName };
}

/** Authenticates and authorises the upgrade, then hands the socket to the channel's room. */
export const openSocket: AppRouteHandler<typeof routes.openSocket> = async (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") throw new ApiError("UPGRADE_REQUIRED", "Send Upgrade: websocket");
  const db = c.get("db");
  const { channelID } = c.req.valid("param");
  const { ticket, since_seq } = c.req.valid("query");
  const user = await socketUser(c, channelID, ticket);
  c.set("user", user);
  await enforceUserRateLimit(c.env, user.id);
  const access = await loadChannel(db, channelID, user.id);
  requireMember(access);
  // Whether this socket's typing frames count: the same rule as sending, decided once here.
  const canPost = await requirePoster(db, access, user.id).then(
    () => true,
    () => false,
  );
  const url = new URL(c.req.url);
  url.search = since_seq === undefined ? "" : `?since_seq=${since_seq}`;
  const forwarded = new Request(url, { headers: { Upgrade: "websocket" } });
  forwarded.headers.set(ROOM_USER_HEADER, user.id);
  forwarded.headers.set(ROOM_CHANNEL_HEADER, access.channel.id);
  if (canPost) forwarded.headers.set(ROOM_CAN_POST_HEADER, "1");
  // Presence only in DMs and groups of at most 100 members (its cost grows with the square of the members).
  const { channel } = access;
  if (channel.type === "dm" || (channel.type === "group" && channel.memberCount <= PRESENCE_MAX_MEMBERS)) {
    forwarded.headers.set(ROOM_ONLINE_HEADER, JSON.stringify(await onlineMembers(d1Of(db), channel.id)));
  }
  const upgraded: Response = await roomOf(c.env, access.channel.id).fetch(forwarded);
  return upgraded as never;
};

export const socketTicket: AppRouteHandler<typeof routes.socketTicket> = async (c) => {
  const me = c.get("user").id;
  const access = await loadChannel(c.get("db"), c.req.valid("param").channelID, me);
  requireMember(access);
  return c.json(await signWsTicket(c.env.FILE_URL_SECRET, me, access.channel.id), 200);
};

/** Authenticates the upgrade, then hands the socket to the user's hub. */
export const openUserSocket: AppRouteHandler<typeof routes.openUserSocket> = async (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") throw new ApiError("UPGRADE_REQUIRED", "Send Upgrade: websocket");
  const { ticket, since_seq } = c.req.valid("query");
  const user = await socketUser(c, USER_SOCKET, ticket);
  c.set("user", user);
  await enforceUserRateLimit(c.env, user.id);
  const url = new URL(c.req.url);
  url.search = since_seq === undefined ? "" : `?since_seq=${since_seq}`;
  const forwarded = new Request(url, { headers: { Upgrade: "websocket", [HUB_USER_HEADER]: user.id } });
  const upgraded: Response = await hubOf(c.env, user.id).fetch(forwarded);
  return upgraded as never;
};

export const userSocketTicket: AppRouteHandler<typeof routes.userSocketTicket> = async (c) =>
  c.json(await signWsTicket(c.env.FILE_URL_SECRET, c.get("user").id, USER_SOCKET), 200);
