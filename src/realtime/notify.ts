/**
 * Fan-out after a committed D1 write, with a delivery guarantee: every state change reaches the
 * channel's room exactly once (each call carries an event id the room deduplicates on), or the
 * request fails loudly. A failing room call is retried a few times within the request (bounded
 * wait); past that the call is handed to the JOBS queue, whose consumer retries with backoff
 * (src/realtime/room-call-queue.ts), then keeps it in the dead-letter line (src/realtime/dead-letters.ts).
 */
import type { Deps, Env, LocalRoom, RoomCalls } from "../env";
import { emitToWebhooks } from "../webhooks/dispatch";
import { announceNewChannel, notifyMessage, toConnectedMembers, toHubs, toUsers } from "./hubs";
import type { EphemeralType, RoomCall, SequencedType } from "../room/protocol";
import { raiseInjectedFault } from "./faults";
import { tryWithBackoff } from "./retry";

export type { RoomCall };

/** The channel's room: one Durable Object per channel, addressed by the channel id. */
export const roomOf = (env: Env, channelId: string) => env.CHANNEL_ROOM.getByName(channelId);

/** The channel's room: itself when the caller runs inside it (a change decided there), else its stub. */
const roomFor = (deps: Deps, channelId: string): RoomCalls => (deps.localRoom?.channelId === channelId ? deps.localRoom.room : roomOf(deps.env, channelId));

/** After a hand-off, this isolate queues the channel's next calls too for a while, keeping their order. */
const STICKY_MS = 30_000;
const queuedChannels = new Map<string, number>();

/**
 * Makes one room call. `local` is the room the caller runs in (a socket send inside its own
 * ChannelRoom): its own channel's calls go straight to it instead of through its stub, which saves
 * a hop; the call is the same, event id included, so deduplication and ordering do not change.
 */
export async function performRoomCall(env: Env, call: RoomCall, local?: LocalRoom) {
  const room: RoomCalls = local?.channelId === call.channelId ? local.room : roomOf(env, call.channelId);
  // A test's injected fault comes back as a value and is thrown here (src/realtime/faults.ts).
  if (call.kind === "publish") raiseInjectedFault(await room.publish(call.channelId, call.type, call.data, call.eventId));
  else if (call.kind === "remove") raiseInjectedFault(await room.removeMember(call.channelId, call.userId, call.eventId, call.reason));
  else raiseInjectedFault(await room.deleteChannel(call.channelId, call.eventId));
}

const log = (deps: Deps, call: RoomCall, event: string, err?: unknown) =>
  console.error(JSON.stringify({ level: "warn", request_id: deps.requestId, realtime: call.kind, channel_id: call.channelId, event, error: err === undefined ? undefined : String(err) }));

/**
 * Delivers a call: directly with bounded retries, else through the queue. Awaited by the request,
 * so one client's sequential requests produce events in the same order. Throws only when even the
 * queue refuses the call (then the client must not believe all went well).
 */
async function deliver(deps: Deps, call: RoomCall) {
  const stickyUntil = queuedChannels.get(call.channelId) ?? 0;
  if (Date.now() >= stickyUntil) {
    const failed = await tryWithBackoff(() => performRoomCall(deps.env, call, deps.localRoom));
    if (!failed) return;
    log(deps, call, "queued after retries", failed.error);
  }
  if (queuedChannels.size > 10_000) queuedChannels.clear();
  queuedChannels.set(call.channelId, Date.now() + STICKY_MS);
  await deps.env.JOBS.send(call, { contentType: "json" });
}

/*
 * Every state change of every surface (REST, integration API) leaves through these three, so
 * outbound webhooks hook in here: `emitToWebhooks` never throws and, in a request, returns at once.
 */

/**
 * `connected`: the channel's connected members when the caller already read them (a send does, in
 * its directory batch). `eventId`: the event's own id, when it may be published twice (a message's).
 * The room and the user hubs are called at the same time: they are different sockets, and each keeps
 * its own order.
 */
export async function publish(deps: Deps, channelId: string, type: SequencedType, data: unknown, read?: { connected?: string[]; eventId?: string }) {
  await emitToWebhooks(deps, type, channelId, data);
  const room = deliver(deps, { kind: "publish", channelId, eventId: read?.eventId ?? crypto.randomUUID(), type, data });
  // The user sockets: every new message (replies too) and settings changes, to connected members only.
  const hubs =
    type === "message"
      ? notifyMessage(deps, data as Parameters<typeof notifyMessage>[1], read?.connected)
      : type === "channel_update"
        ? toConnectedMembers(deps, channelId, "channel_update", data)
        : undefined;
  await Promise.all([room, hubs]);
}

/** A member was added: `channel_add` (the channel) on their user socket; the room's `member_add` is `publish`'s. */
export const announceChannelAdd = (deps: Deps, userId: string, channel: { id: string }) => toUsers(deps, [userId], "channel_add", channel);

/** `reason` "banned": a moderator's ban removed them (DESIGN §15); the event and webhook say so. */
export async function announceRemoval(deps: Deps, channelId: string, userId: string, reason?: "banned") {
  await emitToWebhooks(deps, "member_remove", channelId, reason ? { user_id: userId, reason } : { user_id: userId });
  await deliver(deps, { kind: "remove", channelId, eventId: crypto.randomUUID(), userId, ...(reason ? { reason } : {}) });
  await toUsers(deps, [userId], "channel_remove", { channel_id: channelId });
}

/** `hubUsers`: the members whose hubs were active, read before the deletion removed the memberships. */
export async function announceDeletion(deps: Deps, channelId: string, hubUsers: string[]) {
  await emitToWebhooks(deps, "channel_delete", channelId, { id: channelId });
  await deliver(deps, { kind: "delete", channelId, eventId: crypto.randomUUID() });
  await toHubs(deps, hubUsers, "channel_remove", { channel_id: channelId });
}

/**
 * A new channel: no room event (nobody can be subscribed to it yet); webhooks (Connecteam's
 * `conversation_created`) and `channel_add` on its connected members' user sockets. `channel` is
 * the channel as `/v1` shows it.
 */
export async function announceCreation(deps: Deps, channel: { id: string; type: string }) {
  await emitToWebhooks(deps, "channel_create", channel.id, channel);
  await announceNewChannel(deps, channel);
}

/** Ephemeral frames (read cursors) are best effort: no seq, never replayed, never queued. */
export async function sendToUser(deps: Deps, channelId: string, userId: string, type: EphemeralType, data: unknown) {
  try {
    await roomFor(deps, channelId).sendTo(channelId, userId, type, data);
  } catch (err) {
    console.error(JSON.stringify({ level: "warn", request_id: deps.requestId, realtime: type, error: String(err) }));
  }
}

/** An ephemeral frame to every socket of the channel (read receipts in DMs and groups); best effort as above. */
export async function sendToChannel(deps: Deps, channelId: string, type: EphemeralType, data: unknown) {
  try {
    await roomFor(deps, channelId).sendToAll(channelId, type, data);
  } catch (err) {
    console.error(JSON.stringify({ level: "warn", request_id: deps.requestId, realtime: type, error: String(err) }));
  }
}
