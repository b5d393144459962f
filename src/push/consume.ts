/**
 * The PUSH queue's consumer (DESIGN §16). A flushed message → its recipients (one directory query,
 * plus the thread's participants for a reply) → each recipient's coalescing window: the first push
 * of a channel goes at once, later ones within the window wait, the latest replacing the earlier,
 * and go when it ends (a delayed `window` message). Sends answered 429/5xx are retried with
 * backoff (a delayed `send` message per subscription, at most 5 attempts); 404/410 deletes the
 * subscription.
 */
import type { Env, PushJob, PushMessage, PushNotification } from "../env";
import { createDb } from "../platform/db";
import { shardBinding } from "../platform/shards";
import { defaultsToAll } from "./levels";
import { notificationOf, topicOf } from "./notification";
import { claimEndedWindows, enterWindows, recipients, stillReachable, threadParticipants } from "./recipients.queries";
import { sendPush, type Target } from "./send";
import { forgetSubscription, getSubscription } from "./subscriptions.queries";
import { vapidOf, vapidSubject } from "./vapid";

export const MAX_SEND_ATTEMPTS = 5;
const MAX_DELAY_SECONDS = 3600;

const seconds = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) && n >= 0 ? n : fallback;
};
const windowMs = (env: Env) => seconds(env.PUSH_COALESCE_SECONDS, 30) * 1000;
/** Delay before attempt `attempt + 1`: doubling from PUSH_RETRY_SECONDS, or the service's Retry-After if longer. */
const retryDelay = (env: Env, attempt: number, retryAfter = 0) =>
  Math.min(MAX_DELAY_SECONDS, Math.max(retryAfter, seconds(env.PUSH_RETRY_SECONDS, 30) * 2 ** (attempt - 1)));

const log = (what: string, extra: Record<string, unknown>) => console.error(JSON.stringify({ level: "warn", queue: "push", what, ...extra }));

type Sub = Target & { subscriptionId: string };

/** Sends to each subscription; gone ones are deleted, retryable ones queued again with backoff. */
async function sendAll(env: Env, subs: Sub[], notification: PushNotification, attempt = 1) {
  const keys = await vapidOf(env);
  if (!keys || subs.length === 0) return;
  const subject = vapidSubject(env);
  const outcomes = await Promise.all(subs.map((s) => sendPush(keys, subject, s, notification, env.DEV_LOGIN === "true")));
  const db = createDb(env.DB);
  const retries: MessageSendRequest<PushJob>[] = [];
  await Promise.all(
    outcomes.map(async (outcome, i) => {
      const sub = subs[i]!;
      if (outcome.kind === "gone") await forgetSubscription(db, sub.subscriptionId);
      else if (outcome.kind === "refused") log("refused", { subscription_id: sub.subscriptionId, reason: outcome.reason });
      else if (outcome.kind === "retry" && attempt < MAX_SEND_ATTEMPTS) {
        const body: PushJob = { kind: "send", subscriptionId: sub.subscriptionId, notification, attempt: attempt + 1 };
        retries.push({ body, contentType: "json", delaySeconds: retryDelay(env, attempt, outcome.retryAfter) });
      } else if (outcome.kind === "retry") log("gave up", { subscription_id: sub.subscriptionId, status: outcome.status });
    }),
  );
  if (retries.length) await env.PUSH.sendBatch(retries);
}

/** A message that reached D1: who gets it, now or when their window ends. */
async function onMessage(env: Env, message: PushMessage) {
  if (!(await vapidOf(env))) return;
  const channel = await env.DB.prepare("SELECT type, name, member_count AS memberCount, shard, deleted_at AS deletedAt FROM channels WHERE id = ?1")
    .bind(message.channel_id)
    .first<{ type: "dm" | "group" | "room"; name: string; memberCount: number; shard: string; deletedAt: number | null }>();
  if (!channel || channel.deletedAt !== null) return;
  const named = new Set(message.mentioned_user_ids);
  if (message.parent_id) for (const id of await threadParticipants(shardBinding(env, channel.shard), message.channel_id, message.parent_id)) named.add(id);
  const defaultAll = defaultsToAll(channel);
  const now = Date.now();
  const found = await recipients(env.DB, message.channel_id, message.sender_id, [...named], defaultAll, now);
  if (found.length === 0) return;
  // DMs, mentions and replies in one's threads are urgent; the rest of `all` is not.
  const urgent = (r: { named: number }) => channel.type === "dm" || r.named === 1;
  const groups = [found.filter(urgent), found.filter((r) => !urgent(r))];
  const delayed: { userId: string; until: number }[] = [];
  await Promise.all(
    groups.map(async (subs, i) => {
      if (subs.length === 0) return;
      const notification = await notificationOf(message, channel, i === 0);
      const windows = await enterWindows(env.DB, message.channel_id, [...new Set(subs.map((s) => s.userId))], JSON.stringify(notification), now, windowMs(env));
      const now_ = new Set(windows.filter((w) => w.sendNow === 1).map((w) => w.userId));
      delayed.push(...windows.filter((w) => w.sendNow !== 1));
      await sendAll(env, subs.filter((s) => now_.has(s.userId)), notification);
    }),
  );
  await scheduleWindows(env, message.channel_id, delayed, now);
}

/** One delayed message for the windows that hold a notification back, due when the last of them ends. */
async function scheduleWindows(env: Env, channelId: string, windows: { userId: string; until: number }[], now: number) {
  if (windows.length === 0) return;
  const due = Math.max(...windows.map((w) => w.until));
  const body: PushJob = { kind: "window", channelId, userIds: windows.map((w) => w.userId) };
  await env.PUSH.send(body, { contentType: "json", delaySeconds: Math.min(MAX_DELAY_SECONDS, Math.ceil((due - now) / 1000)) });
}

/** Windows ending: what each held back goes to the user's subscriptions, if they are still offline and not in DND. */
async function onWindows(env: Env, channelId: string, userIds: string[]) {
  const now = Date.now();
  const { claimed, later } = await claimEndedWindows(env.DB, channelId, userIds, now, windowMs(env));
  await scheduleWindows(env, channelId, later, now);
  if (claimed.length === 0) return;
  const subs = await stillReachable(env.DB, claimed.map((c) => c.userId), now);
  await Promise.all(claimed.map((c) => sendAll(env, subs.filter((s) => s.userId === c.userId), JSON.parse(c.pending) as PushNotification)));
}

/**
 * A reminder fired: its owner's browsers get it unless a socket of theirs is open (the frame reached
 * them) or they are in do-not-disturb — the same reachability as a message's push, no coalescing.
 */
async function onReminder(env: Env, job: Extract<PushJob, { kind: "reminder" }>) {
  if (!(await vapidOf(env))) return;
  const subs = await stillReachable(env.DB, [job.userId], Date.now());
  if (subs.length === 0) return;
  const { id, channel_id, message_id, text } = job.reminder;
  const payload = { type: "reminder", id, channel_id, message_id, title: "Reminder", body: [...(text ?? "")].slice(0, 200).join("") };
  await sendAll(env, subs, { payload: JSON.stringify(payload), urgency: "high", topic: await topicOf(`reminder:${id}`) });
}

async function onRetry(env: Env, job: Extract<PushJob, { kind: "send" }>) {
  const sub = await getSubscription(createDb(env.DB), job.subscriptionId);
  if (sub) await sendAll(env, [{ ...sub, subscriptionId: sub.id }], job.notification, job.attempt);
}

export async function consumePush(batch: MessageBatch<PushJob>, env: Env): Promise<void> {
  await Promise.all(
    batch.messages.map(async (m) => {
      try {
        const job = m.body;
        if (job.kind === "message") await onMessage(env, job.message);
        else if (job.kind === "window") await onWindows(env, job.channelId, job.userIds);
        else if (job.kind === "reminder") await onReminder(env, job);
        else await onRetry(env, job);
        m.ack();
      } catch (err) {
        // D1 or the queue failed us: the whole step again (windows make a repeat send at most one extra push).
        log("step failed", { kind: m.body.kind, attempt: m.attempts, error: String(err) });
        m.retry({ delaySeconds: Math.min(60, 2 ** m.attempts) });
      }
    }),
  );
}
