/**
 * From a committed change to deliveries: called by `publish` (src/realtime/notify.ts), the one
 * place every surface's events leave through. Matching costs no D1 read while this isolate's list
 * of subscriptions is fresh (5 s), and nothing at all when that list has no match; otherwise the
 * delivery rows and queue messages are written after the answer (`waitUntil`), so a request never
 * waits on webhooks, let alone on their receivers.
 */
import type { Deps, Env } from "../env";
import { createDb } from "../platform/db";
import { newId } from "../platform/ids";
import { insertDeliveries, type NewDelivery } from "./deliveries.queries";
import { appBody, type ChatEvent, chatEvent, connecteamBody, type EventType } from "./events";
import { listSubscriptions, type Subscription } from "./webhooks.queries";

import type { WebhookJob } from "../env";

export type { WebhookJob };

/** How long this isolate trusts its copy of the subscriptions; writes through this isolate reset it. */
const FRESH_MS = 5_000;
let cached: { subs: Subscription[]; until: number } | undefined;

/** After a webhook is created, changed or deleted here: the next event reads the list again. */
export const forgetSubscriptions = () => {
  cached = undefined;
};

async function subscriptions(env: Env): Promise<Subscription[]> {
  if (cached && cached.until > Date.now()) return cached.subs;
  const subs = await listSubscriptions(createDb(env.DB));
  cached = { subs, until: Date.now() + FRESH_MS };
  return subs;
}

/** Connecteam's name for the event, if it has one. */
const chatType = (type: EventType, data: unknown) => chatEvent({ id: "", type, channelId: "", data, at: 0 })?.eventType;

function matches(sub: Subscription, type: EventType, channelId: string, chat: string | undefined): boolean {
  if (sub.kind === "app") return type !== "channel_create" && (sub.events.includes("*") || sub.events.includes(type));
  return chat !== undefined && sub.events.includes(chat) && (sub.entityId === null || sub.entityId === channelId);
}

const log = (what: string, e: { type: string; channelId: string }, err: unknown) =>
  console.error(JSON.stringify({ level: "error", webhooks: what, event: e.type, channel_id: e.channelId, error: String(err) }));

/** A few quick tries: a lost event is worse than a slow background task. */
async function withRetries<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= 2) throw err;
      await new Promise((r) => setTimeout(r, 100 * 4 ** attempt));
    }
  }
}

/** Writes one delivery per matching webhook, then queues them (at most 100 messages a send). */
async function enqueue(env: Env, event: ChatEvent) {
  const chat = chatType(event.type, event.data);
  const matched = (await subscriptions(env)).filter((s) => matches(s, event.type, event.channelId, chat));
  if (matched.length === 0) return;
  const company = env.COMPANY_ID || "default";
  const rows: NewDelivery[] = [];
  for (const sub of matched) {
    const id = newId();
    const payload = sub.kind === "app" ? appBody(event) : connecteamBody(event, id, company);
    if (payload) rows.push({ id, webhookId: sub.id, event: sub.kind === "app" ? event.type : chat!, payload, createdAt: event.at });
  }
  await withRetries(() => insertDeliveries(createDb(env.DB), rows));
  // If the queue refuses even after retries, the rows stay pending and the cron queues them later.
  for (let i = 0; i < rows.length; i += 100) {
    const messages = rows.slice(i, i + 100).map((r) => ({ body: { deliveryId: r.id, webhookId: r.webhookId } satisfies WebhookJob, contentType: "json" as const }));
    await withRetries(() => env.WEBHOOKS.sendBatch(messages));
  }
}

/**
 * Hands a committed event to the webhooks that subscribe to it. Never throws: webhooks must not
 * fail the change that already happened. With `deps.waitUntil` (a request) it returns at once.
 */
export async function emitToWebhooks(deps: Deps, type: EventType, channelId: string, data: unknown): Promise<void> {
  const e = { type, channelId };
  try {
    if (cached && cached.until > Date.now()) {
      const chat = chatType(type, data);
      if (!cached.subs.some((s) => matches(s, type, channelId, chat))) return;
    }
    const event: ChatEvent = { id: newId(), type, channelId, data, at: Date.now() };
    const work = enqueue(deps.env, event).catch((err) => log("enqueue failed", e, err));
    if (deps.waitUntil) deps.waitUntil(work);
    else await work;
  } catch (err) {
    log("emit failed", e, err);
  }
}
