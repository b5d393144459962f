/**
 * Delivery to users' hubs (the user socket), with the room calls' guarantee: each call carries an
 * event id the hub deduplicates on, is retried a few times within the request, then handed to the
 * JOBS queue. Only hubs whose user is connected (directory `user_sockets.hub_active_until`) are
 * called: one directory query per event, nothing at all for members who are not connected.
 */
import type { Db, Deps, Env } from "../env";
import type { HubCall, HubCalls, HubSequencedType, NotifyData } from "../room/protocol";
import { connectedMembers, connectedUsers, dmMembers } from "./sockets.queries";
import { raiseInjectedFault } from "./faults";
import { tryWithBackoff } from "./retry";

export const hubOf = (env: Env, userId: string) => env.USER_HUB.getByName(userId);

/** The (metered) D1 binding under a request's Drizzle: the socket queries are raw SQL, their join order fixed by hand. */
export const d1Of = (db: Db) => (db as Db & { $client: D1Database }).$client;
const d1 = (deps: Deps) => d1Of(deps.db);

/**
 * Calls made from the request itself (in parallel), so its latency stays bounded whatever the
 * channel's size; past this many, the rest go through the queue, 100 per message. Work that no answer
 * waits for (a send's `notify`, made by the room after its broadcast) calls up to OFF_PATH_CALLS
 * directly, so a room's connected members hear of a message in one parallel wave, not seconds later
 * through the queue.
 */
const DIRECT_CALLS = 50;
export const OFF_PATH_CALLS = 500;
const CALLS_PER_JOB = 100;

export async function performHubCall(env: Env, call: HubCall) {
  raiseInjectedFault(await hubOf(env, call.userId).deliver(call.userId, call.type, call.data, call.eventId));
}

async function tryCall(deps: Deps, call: HubCall): Promise<boolean> {
  const failed = await tryWithBackoff(() => performHubCall(deps.env, call));
  if (failed) {
    console.error(JSON.stringify({ level: "warn", request_id: deps.requestId, realtime: "hub", user_id: call.userId, event: "queued after retries", error: String(failed.error) }));
  }
  return !failed;
}

/** Delivers every call: directly (bounded retries), else through JOBS. Throws only if the queue refuses. */
export async function deliverToHubs(deps: Deps, calls: HubCall[], directCalls = DIRECT_CALLS) {
  const direct = calls.slice(0, directCalls);
  const results = await Promise.all(direct.map((call) => tryCall(deps, call)));
  const queued = [...direct.filter((_, i) => !results[i]), ...calls.slice(directCalls)];
  const jobs: HubCalls[] = [];
  for (let i = 0; i < queued.length; i += CALLS_PER_JOB) jobs.push({ kind: "hubs", calls: queued.slice(i, i + CALLS_PER_JOB) });
  if (jobs.length) await deps.env.JOBS.sendBatch(jobs.map((body) => ({ body, contentType: "json" as const })));
}

const calls = (userIds: string[], type: HubSequencedType, data: (userId: string) => unknown): HubCall[] => {
  const eventId = crypto.randomUUID(); // one event: each hub deduplicates its own copy
  return userIds.map((userId) => ({ userId, eventId, type, data: data(userId) }));
};

/** The message fields `notify` is made of (the message JSON; `mentioned_user_ids` may be absent). */
interface MessageFields {
  id: string;
  channel_id: string;
  parent_id?: string | null;
  sender_id: string;
  created_at: number;
  mentioned_user_ids?: string[];
}

/** `notify` to every connected member (the sender's own hub too: their other devices); `connected` when already read. */
export async function notifyMessage(deps: Deps, message: MessageFields, connected?: string[], directCalls = DIRECT_CALLS) {
  const members = connected ?? (await connectedMembers(deps.db, message.channel_id, Date.now()));
  const mentioned = new Set(message.mentioned_user_ids ?? []);
  const data = (userId: string): NotifyData => ({
    channel_id: message.channel_id,
    message_id: message.id,
    parent_id: message.parent_id ?? null,
    sender_id: message.sender_id,
    created_at: message.created_at,
    mentions_me: mentioned.has(userId),
  });
  await deliverToHubs(deps, calls(members, "notify", data), directCalls);
}

/** Members of a channel whose hub is active now (read before a deletion removes the memberships). */
export const connectedMembersOf = (deps: Deps, channelId: string) => connectedMembers(deps.db, channelId, Date.now());

/** The same frame to these users' hubs (already known to be connected). */
export const toHubs = (deps: Deps, userIds: string[], type: HubSequencedType, data: unknown) => deliverToHubs(deps, calls(userIds, type, () => data));

/** The same frame to every connected member of a channel (`channel_update`, `channel_remove` on deletion). */
export async function toConnectedMembers(deps: Deps, channelId: string, type: HubSequencedType, data: unknown) {
  const members = await connectedMembers(deps.db, channelId, Date.now());
  await deliverToHubs(deps, calls(members, type, () => data));
}

/** A frame to named users, if connected (`channel_add` to an added member, `channel_remove` to a removed one). */
export async function toUsers(deps: Deps, userIds: string[], type: HubSequencedType, data: unknown) {
  const connected = await connectedUsers(d1(deps), userIds, Date.now());
  await deliverToHubs(deps, calls(connected, type, () => data));
}

/**
 * `channel_add` for a new channel to its connected members. A DM's channel is shown as each side
 * sees it (`other_user_id` / `other_user_name` are the other member), from one query.
 */
export async function announceNewChannel(deps: Deps, channel: { id: string; type: string }) {
  if (channel.type !== "dm") return toConnectedMembers(deps, channel.id, "channel_add", channel);
  const pair = await dmMembers(d1(deps), channel.id, Date.now());
  const active = pair.filter((m) => m.active).map((m) => m.id);
  const other = (userId: string) => pair.find((m) => m.id !== userId);
  await deliverToHubs(deps, calls(active, "channel_add", (userId) => ({ ...channel, other_user_id: other(userId)?.id, other_user_name: other(userId)?.name })));
}

/**
 * Hub calls from the JOBS queue, a message's calls in parallel: a hub's seq stays gap-free whatever
 * the order. If any fails the whole message is retried (the hubs that got theirs dedupe by event
 * id). `delay` (by attempt): JOBS' (ROOM_CALL_RETRY_SECONDS, as for room calls) or the dead queue's.
 */
export async function consumeHubCalls(messages: readonly Message<HubCalls>[], env: Env, delay: (attempts: number) => number) {
  await Promise.all(
    messages.map(async (message) => {
      const results = await Promise.allSettled(message.body.calls.map((call) => performHubCall(env, call)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (!failed) return message.ack();
      const delaySeconds = delay(message.attempts);
      console.error(JSON.stringify({ level: "warn", queue: "jobs", hub_calls: message.body.calls.length, attempt: message.attempts, error: String(failed.reason) }));
      message.retry({ delaySeconds });
    }),
  );
}
