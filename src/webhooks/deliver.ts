/**
 * The WEBHOOKS queue's consumer: one POST per message, signed, with a 10 s budget. A 2xx is
 * success; anything else (status, timeout, refused connection, redirect) is retried through the
 * queue's own delayed retry, so no invocation ever sleeps, until the 5th attempt, which records the
 * delivery as failed. The attempt count lives in D1, not in the queue: it is what the log shows and
 * what X-Webhook-Attempt says, whatever the queue redelivers.
 */
import type { DeliveryAttempt, DeliveryRow } from "../db/schema";
import type { Db, Env } from "../env";
import { createDb } from "../platform/db";
import { claimAttempt, recordAttempt } from "./deliveries.queries";
import type { WebhookJob } from "./dispatch";
import { signPayload } from "./signature";
import { targetProblem } from "./targets";

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

const warn = (m: Message<WebhookJob>, what: string, err: unknown) =>
  console.error(JSON.stringify({ level: "warn", queue: "webhooks", delivery_id: m.body.deliveryId, what, error: String(err) }));

async function attempt(db: Db, env: Env, message: Message<WebhookJob>) {
  const { deliveryId, webhookId } = message.body;
  let claim;
  try {
    claim = await claimAttempt(db, deliveryId, webhookId, MAX_ATTEMPTS, Date.now());
  } catch (err) {
    warn(message, "claim failed", err);
    return message.retry({ delaySeconds: 10 });
  }
  if (!claim) return message.ack(); // finished, out of attempts, or a duplicate of a message already handled
  const { delivery, webhook } = claim;
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
  try {
    await recordAttempt(
      db,
      deliveryId,
      {
        status: ok ? "succeeded" : retry ? "pending" : "failed",
        lastStatusCode: result.statusCode,
        lastError: result.error,
        log: [...delivery.log, entry].slice(-MAX_ATTEMPTS),
        nextAttemptAt: retry ? now + delaySeconds * 1000 : null,
      },
      now,
    );
  } catch (err) {
    // The attempt happened; the row still says pending, so the cron picks it up again if need be.
    warn(message, "record failed", err);
  }
  if (retry) message.retry({ delaySeconds });
  else message.ack();
}

/**
 * A batch: deliveries to different webhooks go out in parallel (one slow receiver does not hold up
 * the others), those to the same webhook one after another, in queue order.
 */
export async function consumeDeliveries(batch: MessageBatch<WebhookJob>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  const byWebhook = new Map<number, Message<WebhookJob>[]>();
  for (const m of batch.messages) byWebhook.set(m.body.webhookId, [...(byWebhook.get(m.body.webhookId) ?? []), m]);
  await Promise.all(
    [...byWebhook.values()].map(async (messages) => {
      for (const m of messages) await attempt(db, env, m);
    }),
  );
}
