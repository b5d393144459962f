import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { refuseAppBanned } from "../../platform/app-bans";
import { authenticateUser, bearer } from "../../platform/auth";
import { ApiError, type ErrorCode, channelNotFound, invalidToken } from "../../platform/errors";
import { isId } from "../../platform/ids";
import type { AppRouteHandler } from "../../platform/openapi";
import { enforceUserRateLimit } from "../../platform/rate-limit";
import { type WsTicket, signWsTicket, verifyWsTicket } from "../../platform/tokens";
import { hubOf } from "../../realtime/hubs";
import { roomOf } from "../../realtime/notify";
import { HUB_USER_HEADER, ROOM_CHANNEL_HEADER, ROOM_TICKET_HEADER, ROOM_USER_HEADER } from "../../room/protocol";
import { loadChannel, requireMember } from "../channels/access";
import { getUser } from "../users/users.queries";
import type * as routes from "./sockets.routes";

/** What a user socket's ticket names instead of a channel id (never a channel's: those are 19 digits). */
const USER_SOCKET = "user";

/**
 * The upgrade's user: a ticket (browsers cannot set headers on a WebSocket), else the Bearer token.
 * `channelId` is the channel the ticket must name (`USER_SOCKET` for the user socket).
 */
async function socketUser(c: Context<AppEnv>, channelId: string, ticket: string | undefined): Promise<{ user: { id: string; name: string }; ticket?: WsTicket }> {
  if (!ticket || c.req.header("Authorization")) return { user: await authenticateUser(c.get("db"), c.env, bearer(c.req.header("Authorization"))) };
  const verified = await verifyWsTicket(c.env.FILE_URL_SECRET, ticket, channelId);
  if (!verified) throw invalidToken("Ticket is invalid, expired or for another channel");
  const user = await getUser(c.get("db"), verified.userId);
  if (!user) throw invalidToken("Ticket names an unknown user");
  // A ticket taken before an app-wide ban (DESIGN §15) does not open a socket after it.
  await refuseAppBanned(c.get("db"), user.id);
  return { user: { id: user.id, name: user.displayName }, ticket: verified };
}

/** The upgrade as the room or hub gets it: the user, the ticket to use up, the replay position. */
function forwardUpgrade(c: Context<AppEnv>, userId: string, ticket: WsTicket | undefined, query: Record<string, string | number | undefined>) {
  const url = new URL(c.req.url);
  url.search = "";
  for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
  const forwarded = new Request(url, { headers: { Upgrade: "websocket", [ROOM_USER_HEADER]: userId } });
  if (ticket) forwarded.headers.set(ROOM_TICKET_HEADER, `${ticket.id} ${ticket.expiresAt}`);
  return forwarded;
}

/** A 101 goes back as is; a refusal (the room's or hub's error body) becomes the API's error. */
async function upgraded(response: Response) {
  if (response.status === 101) return response as never;
  const body = (await response.json().catch(() => undefined)) as { error?: { code: ErrorCode; message: string } } | undefined;
  if (!body?.error) throw new Error(`upgrade answered ${response.status}`);
  throw new ApiError(body.error.code, body.error.message);
}

/**
 * Authenticates the upgrade and hands it to the channel's room, which decides whether this user may
 * subscribe (members only) at the moment it accepts the socket.
 */
export const openSocket: AppRouteHandler<typeof routes.openSocket> = async (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") throw new ApiError("UPGRADE_REQUIRED", "Send Upgrade: websocket");
  const { channelID } = c.req.valid("param");
  const { ticket, since_seq, epoch } = c.req.valid("query");
  const { user, ticket: verified } = await socketUser(c, channelID, ticket);
  c.set("user", user);
  await enforceUserRateLimit(c.env, user.id);
  if (!isId(channelID)) throw channelNotFound();
  const forwarded = forwardUpgrade(c, user.id, verified, { since_seq, epoch });
  forwarded.headers.set(ROOM_CHANNEL_HEADER, channelID);
  return upgraded(await roomOf(c.env, channelID).fetch(forwarded));
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
  const { user, ticket: verified } = await socketUser(c, USER_SOCKET, ticket);
  c.set("user", user);
  await enforceUserRateLimit(c.env, user.id);
  const forwarded = forwardUpgrade(c, user.id, verified, { since_seq });
  forwarded.headers.set(HUB_USER_HEADER, user.id);
  return upgraded(await hubOf(c.env, user.id).fetch(forwarded));
};

export const userSocketTicket: AppRouteHandler<typeof routes.userSocketTicket> = async (c) =>
  c.json(await signWsTicket(c.env.FILE_URL_SECRET, c.get("user").id, USER_SOCKET), 200);
