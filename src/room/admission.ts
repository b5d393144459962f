/**
 * Whether a user may open a channel socket, decided by the channel's room when it takes the upgrade
 * (not by the Worker beforehand): the room reads the directory's primary while no rights change of
 * the channel can run (ChangeOrder), so a removal is either seen here or closes the socket after it
 * was accepted — never missed in between.
 */
import type { Env } from "../env";
import { createDb } from "../platform/db";
import { d1Of } from "../realtime/hubs";
import { PRESENCE_MAX_MEMBERS, onlineMembers } from "../realtime/sockets.queries";
import { refuseBanned, requireMember, requirePoster, visibleChannel } from "../features/channels/access";
import { findChannelWithMembership } from "../features/channels/channels.queries";
import { isId } from "../platform/ids";
import { blockersOf } from "../features/blocks/blocks.queries";

export interface Admission {
  /** Whether this socket's typing frames count: the rule of sending, decided once here. */
  canPost: boolean;
  /** DMs and groups of at most 100 members: who is online now (presence's cost grows with the square of the members). */
  online?: string[];
  /** Who blocked this user: their presence, typing and read receipts are not shown on this socket. */
  blockers: string[];
}

/** Throws the documented 403/404 when the user may not subscribe. */
export async function admitSocket(env: Env, channelId: string, userId: string): Promise<Admission> {
  const db = createDb(env.DB);
  const found = isId(channelId) ? await findChannelWithMembership(db, channelId, userId) : undefined;
  // Banned (and so removed): told why, in a group too, where a non-member would get "not found".
  refuseBanned(found?.standing);
  const access = visibleChannel(found);
  requireMember(access);
  const canPost = await requirePoster(db, access, userId).then(
    () => true,
    () => false,
  );
  const { channel } = access;
  const presence = channel.type === "dm" || (channel.type === "group" && channel.memberCount <= PRESENCE_MAX_MEMBERS);
  const [online, blockers] = await Promise.all([presence ? onlineMembers(d1Of(db), channel.id) : undefined, blockersOf(db, userId)]);
  return { canPost, online: online?.filter((id) => !blockers.includes(id)), blockers };
}
