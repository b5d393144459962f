/** Channel operations, callable from any surface: plain arguments, no HTTP. */
import { refuseBlockers } from "../blocks/blocks.service";
import type { Deps } from "../../env";
import { ApiError, channelNotFound, userNotFound } from "../../platform/errors";
import { connectedMembersOf } from "../../realtime/hubs";
import { announceCreation, announceDeletion, publish } from "../../realtime/notify";
import { isBlockedEitherWay } from "../blocks/blocks.queries";
import { unhide } from "../members/members.queries";
import { getUser } from "../users/users.queries";
import { loadChannel, mutedUntilSeconds, refuseDm, requireChannelAdmin, requireKnownUsers, requireOwner } from "./access";
import { setSlowMode } from "../moderation/moderation.service";
import * as q from "./channels.queries";
import * as dms from "./dm.queries";
import { pickShard } from "./placement";
import { channelJson } from "./channels.schemas";

type NewChannel = { type: "dm"; user_id: string } | { type: "group" | "room"; name: string; broadcast: boolean; member_ids: string[] };

/** Creates a group or room owned by `me`, or opens the DM with `user_id` (`created` false when it existed). */
export async function createChannel(deps: Deps, me: string, input: NewChannel) {
  const { db } = deps;
  if (input.type === "dm") {
    const { channel, created, partner } = await openDm(deps, me, input.user_id);
    return { channel: channelJson(channel, partner), created };
  }
  const memberIds = [...new Set(input.member_ids)].filter((id) => id !== me);
  await requireKnownUsers(db, memberIds);
  await refuseBlockers(db, me, memberIds);
  const shard = await pickShard(db, deps.env);
  const channel = await q.createGroupOrRoom(db, { type: input.type, name: input.name, broadcast: input.broadcast, ownerId: me, memberIds, shard });
  const json = channelJson(channel);
  await announceCreation(deps, json);
  return { channel: json, created: true };
}

/** Returns the pair's DM, creating it on first use; reopening it unhides it for the caller. */
export async function openDm(deps: Deps, me: string, otherId: string) {
  const { db, env } = deps;
  if (otherId === me) throw new ApiError("CHAT_CANNOT_DM_SELF", "You cannot open a DM with yourself");
  const partner = await getUser(db, otherId);
  if (!partner) throw userNotFound(otherId);
  if (await isBlockedEitherWay(db, me, otherId)) {
    throw new ApiError("CHAT_DM_BLOCKED_USER", "One of you has blocked the other");
  }
  const { channel, created } = await dms.findOrCreateDm(db, env, me, otherId);
  if (created) await announceCreation(deps, channelJson(channel));
  else await unhide(db, channel.id, me);
  return { channel, created, partner };
}

export async function getChannel({ db }: Deps, me: string, channelId: string) {
  const { channel, standing } = await loadChannel(db, channelId, me);
  const partner = channel.type === "dm" ? await dms.findDmPartner(db, channel, me) : null;
  return { ...channelJson(channel, partner), muted_until: mutedUntilSeconds(standing) };
}

export async function updateChannel(deps: Deps, me: string, channelId: string, input: { name?: string; archived?: boolean; broadcast?: boolean; slow_mode_s?: number }) {
  const access = await loadChannel(deps.db, channelId, me);
  refuseDm(access);
  requireChannelAdmin(access, "change channel settings");
  const { slow_mode_s, ...changes } = input;
  // Slow mode is a moderation setting: written with its audit entry (moderation.service.ts).
  const slowed = slow_mode_s !== undefined && slow_mode_s !== access.channel.slowModeS ? await setSlowMode(deps, me, access, slow_mode_s) : access.channel;
  const row = Object.keys(changes).length ? await q.updateChannel(deps.db, access.channel.id, changes) : slowed;
  const updated = channelJson(row ?? slowed);
  await publish(deps, access.channel.id, "channel_update", updated);
  // `muted_until` is the caller's own: never in the event every member gets.
  return { ...updated, muted_until: mutedUntilSeconds(access.standing) };
}

export async function deleteChannel(deps: Deps, me: string, channelId: string) {
  const access = await loadChannel(deps.db, channelId, me);
  refuseDm(access);
  requireOwner(access, "delete the channel");
  // The deletion removes the memberships: whose user socket to tell is read first.
  const hubUsers = await connectedMembersOf(deps, access.channel.id);
  // Of racing deletes exactly one marks the row; the others are 404 and send no event.
  if (!(await q.deleteChannel(deps.db, access.channel.id, Date.now()))) throw channelNotFound();
  await announceDeletion(deps, access.channel.id, hubUsers);
  await deps.env.JOBS.send({ kind: "purge", channelId: access.channel.id }, { contentType: "json" });
}
