import type { Context } from "hono";
import type { AppEnv, Env } from "../env";
import type { EphemeralType, SequencedType } from "./protocol";

/** The channel's room: one Durable Object per channel, addressed by the channel id. */
export const roomOf = (env: Env, channelId: string) => env.CHANNEL_ROOM.getByName(channelId);

/**
 * Fan-out after a committed D1 write. Awaited, so one client's sequential requests produce events
 * in the same order; never throws, so a failing room cannot fail a request whose write succeeded.
 */
async function deliver(c: Context<AppEnv>, what: string, send: () => Promise<unknown>) {
  try {
    await send();
  } catch (err) {
    console.error(JSON.stringify({ level: "error", request_id: c.get("requestId"), realtime: what, error: String(err) }));
  }
}

export const publish = (c: Context<AppEnv>, channelId: string, type: SequencedType, data: unknown) =>
  deliver(c, type, () => roomOf(c.env, channelId).publish(channelId, type, data));

export const sendToUser = (c: Context<AppEnv>, channelId: string, userId: string, type: EphemeralType, data: unknown) =>
  deliver(c, type, () => roomOf(c.env, channelId).sendTo(channelId, userId, type, data));

export const announceRemoval = (c: Context<AppEnv>, channelId: string, userId: string) =>
  deliver(c, "member_remove", () => roomOf(c.env, channelId).removeMember(channelId, userId));

export const announceDeletion = (c: Context<AppEnv>, channelId: string) =>
  deliver(c, "channel_delete", () => roomOf(c.env, channelId).deleteChannel(channelId));
