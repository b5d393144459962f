/**
 * One Web Push request (RFC 8030 §5) to one subscription: the payload encrypted for it (RFC 8291),
 * signed for its push service (RFC 8292). What the answer means for the subscription is returned;
 * retrying is the caller's (src/push/consume.ts).
 */
import type { PushNotification } from "../env";
import { targetProblem } from "../platform/outbound-targets";
import { encryptPayload, subscriptionKeys, type VapidKeys, vapidAuthorization } from "./web-push-crypto";

/** How long a push service keeps a push for a device that is offline: a day-old chat message is still news. */
export const PUSH_TTL_SECONDS = 24 * 3600;
const TIMEOUT_MS = 10_000;

export interface Target {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export type SendOutcome =
  | { kind: "sent" }
  /** 404/410: the subscription is gone for good. */
  | { kind: "gone"; status: number }
  /** 429, 5xx or no answer: try again later (`retryAfter` seconds when the service said so). */
  | { kind: "retry"; status: number | null; retryAfter?: number }
  /** Anything else (400, 403, 413, a target the rules refuse, broken keys): retrying cannot help. */
  | { kind: "refused"; reason: string };

export async function sendPush(keys: VapidKeys, subject: string, target: Target, notification: PushNotification, devLogin: boolean): Promise<SendOutcome> {
  // Checked again at send time: the rules (or DEV_LOGIN) may have changed since it was stored.
  const problem = targetProblem(target.endpoint, devLogin);
  if (problem) return { kind: "refused", reason: `endpoint refused: ${problem}` };
  const ua = subscriptionKeys(target.p256dh, target.auth);
  if (!ua) return { kind: "refused", reason: "subscription keys are not valid" };
  const body = await encryptPayload(ua.publicKey, ua.authSecret, new TextEncoder().encode(notification.payload));
  const headers = {
    Authorization: await vapidAuthorization(keys, target.endpoint, subject),
    "Content-Encoding": "aes128gcm",
    "Content-Type": "application/octet-stream",
    TTL: String(PUSH_TTL_SECONDS),
    Urgency: notification.urgency,
    Topic: notification.topic,
  };
  try {
    // Redirects are not followed: a public URL must not bounce us to a private one.
    const res = await fetch(target.endpoint, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.body?.cancel();
    if (res.ok) return { kind: "sent" };
    if (res.status === 404 || res.status === 410) return { kind: "gone", status: res.status };
    if (res.status === 429 || res.status >= 500) {
      const after = Number(res.headers.get("Retry-After"));
      return { kind: "retry", status: res.status, retryAfter: Number.isFinite(after) && after > 0 ? after : undefined };
    }
    return { kind: "refused", reason: `HTTP ${res.status}` };
  } catch {
    return { kind: "retry", status: null };
  }
}
