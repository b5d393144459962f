import type { Deps, Env } from "../env";
import type { EphemeralType, SequencedType } from "./protocol";

/** The channel's room: one Durable Object per channel, addressed by the channel id. */
export const roomOf = (env: Env, channelId: string) => env.CHANNEL_ROOM.getByName(channelId);

/**
 * Fan-out after a committed D1 write. Awaited, so one client's sequential requests produce events
 * in the same order; never throws, so a failing room cannot fail a request whose write succeeded.
 */
async function deliver(deps: Deps, what: string, send: () => Promise<unknown>) {
  try {
    await send();
  } catch (err) {
    console.error(JSON.stringify({ level: "error", request_id: deps.requestId, realtime: what, error: String(err) }));
  }
}

export const publish = (deps: Deps, channelId: string, type: SequencedType, data: unknown) =>
  deliver(deps, type, () => roomOf(deps.env, channelId).publish(channelId, type, data));

export const sendToUser = (deps: Deps, channelId: string, userId: string, type: EphemeralType, data: unknown) =>
  deliver(deps, type, () => roomOf(deps.env, channelId).sendTo(channelId, userId, type, data));

export const announceRemoval = (deps: Deps, channelId: string, userId: string) =>
  deliver(deps, "member_remove", () => roomOf(deps.env, channelId).removeMember(channelId, userId));

export const announceDeletion = (deps: Deps, channelId: string) =>
  deliver(deps, "channel_delete", () => roomOf(deps.env, channelId).deleteChannel(channelId));
