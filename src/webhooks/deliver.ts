/**
 * The WEBHOOKS queue's consumer: one POST per message, signed, with a 10 s budget. A 2xx is
 * success; anything else (status, timeout, refused connection, redirect) is retried through the
 * queue's own delayed retry, so no invocation ever sleeps, until the 5th attempt, which records the
 * delivery as failed. The attempt count lives in D1, not in the queue: it is what the log shows and
 * what X-Webhook-Attempt says, whatever the queue redelivers.
 */
import type { DeliveryAttempt, DeliveryRow } from "../db/schema";
import type { Env } from "../env";
import { createDb } from "../platform/db";
import { type AttemptOutcome, claimAttempts, recordAttempts } from "./deliveries.queries";
import type { WebhookJob } from "./dispatch";
import { signPayload } from "./signature";
import { targetProblem } from "../platform/outbound-targets";

export const MAX_ATTEMPTS = 5;
const TIMEOUT_MS = 10_000;
/** Seconds to wait after attempts 1–4: 1 + 5 + 15 + 40 minutes, the 5th attempt about an hour in. */
const DEFAULT_DELAYS = [60, 300, 900, 2400];

/** WEBHOOK_RETRY_DELAYS: four comma-separated second counts (tests use "0,0,0,0"); else the default. */
export function retryDelays(env: Env): number[] {
  const parsed = (env.WEBHOOK_RETRY_DELAYS ?? "").split(",").map((s) => Number(s.trim()));
  const valid = parsed.length === MAX_ATTEMPTS - 1 && parsed.every((n) => Number.isInteger(n) && n >= 0 && n <= 43_200);
  return valid ? parsed : DEFAULT_DELAYS;
}

interface PostResult {
  statusCode: number | null;
  error: string | null;
  ms: number;
  /** No point retrying: the webhook is gone, disabled, or its target is not allowed. */
  final?: boolean;
}

type Target = { url: string; secret: string | null };

async function post(env: Env, target: Target, delivery: DeliveryRow): Promise<PostResult> {
  // Checked again at send time: the rules (or DEV_LOGIN) may have changed since the URL was stored.
  const problem = targetProblem(target.url, env.DEV_LOGIN === "true");
  if (problem) return { statusCode: null, error: `target refused: ${problem}`, ms: 0, final: true };
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": "edge-chat-webhooks/1",
    "X-Webhook-Id": delivery.id,
    "X-Webhook-Attempt": String(delivery.attempts),
    "X-Webhook-Event": delivery.event,
  };
  if (target.secret) headers["X-Webhook-Signature"] = await signPayload(target.secret, Math.floor(Date.now() / 1000), delivery.payload);
  const started = Date.now();
  try {
    // Redirects are not followed: a public URL must not bounce us to a private one.
    const res = await fetch(target.url, { method: "POST", headers, body: delivery.payload, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.body?.cancel(); // the answer's body is not ours to read
    return { statusCode: res.status, error: res.ok ? null : `HTTP ${res.status}`, ms: Date.now() - started };
  } catch (err) {
    const timedOut = (err as Error)?.name === "TimeoutError" || (err as Error)?.name === "AbortError";
    return { statusCode: null, error: timedOut ? `no answer within ${TIMEOUT_MS / 1000} s` : String(err).slice(0, 200), ms: Date.now() - started };
  }
}

const warn = (what: string, err: unknown, deliveryId?: string) =>
  console.error(JSON.stringify({ level: "warn", queue: "webhooks", delivery_id: deliveryId, what, error: String(err) }));

type Webhook = { url: string; secret: string | null; disabled: boolean; deletedAt: number | null };

/** One claimed attempt: POST (unless the webhook is gone or disabled), then what to record and whether to retry. */
async function attempt(env: Env, delivery: DeliveryRow, webhook: Webhook | undefined) {
  const result: PostResult =
    !webhook || webhook.deletedAt !== null
      ? { statusCode: null, error: "webhook deleted", ms: 0, final: true }
      : webhook.disabled
        ? { statusCode: null, error: "webhook disabled", ms: 0, final: true }
        : await post(env, webhook, delivery);
  const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  const retry = !ok && !result.final && delivery.attempts < MAX_ATTEMPTS;
  const delaySeconds = retryDelays(env)[delivery.attempts - 1] ?? 0;
  const now = Date.now();
  const entry: DeliveryAttempt = { attempt: delivery.attempts, at: Math.floor(now / 1000), status_code: result.statusCode, error: result.error, duration_ms: result.ms };
  const outcome: AttemptOutcome = {
    status: ok ? "succeeded" : retry ? "pending" : "failed",
    lastStatusCode: result.statusCode,
    lastError: result.error,
    log: [...delivery.log, entry].slice(-MAX_ATTEMPTS),
    nextAttemptAt: retry ? now + delaySeconds * 1000 : null,
  };
  return { outcome, retry: retry ? delaySeconds : undefined };
}

/**
 * A batch: every attempt is claimed in one D1 round trip and recorded in another. Deliveries to
 * different webhooks go out in parallel (one slow receiver does not hold up the others), those to
 * the same webhook one after another, in queue order.
 */
export async function consumeDeliveries(batch: MessageBatch<WebhookJob>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  const messages = batch.messages;
  let claims;
  try {
    claims = await claimAttempts(db, messages.map((m) => m.body), MAX_ATTEMPTS, Date.now());
  } catch (err) {
    warn("claim failed", err);
    return batch.retryAll({ delaySeconds: 10 });
  }
  const byWebhook = new Map<number, number[]>();
  messages.forEach((m, i) => byWebhook.set(m.body.webhookId, [...(byWebhook.get(m.body.webhookId) ?? []), i]));
  const results: ({ outcome: AttemptOutcome; retry?: number } | undefined)[] = [];
  await Promise.all(
    [...byWebhook].map(async ([webhookId, indexes]) => {
      for (const i of indexes) {
        const delivery = claims.claimed[i];
        if (delivery) results[i] = await attempt(env, delivery, claims.webhooks.get(webhookId));
      }
    }),
  );
  const recorded = results.flatMap((r, i) => (r ? [{ id: messages[i]!.body.deliveryId, outcome: r.outcome }] : []));
  try {
    await recordAttempts(db, recorded, Date.now());
  } catch (err) {
    // The attempts happened; the rows still say pending, so the cron picks them up again if need be.
    warn("record failed", err);
  }
  messages.forEach((m, i) => {
    const delaySeconds = results[i]?.retry;
    if (delaySeconds === undefined) m.ack(); // done, or nothing was claimed (finished, out of attempts, a duplicate)
    else m.retry({ delaySeconds });
  });
}
