/** The deployment's VAPID keys, derived once per isolate from the `VAPID_PRIVATE_KEY` secret. */
import type { Env } from "../env";
import { type VapidKeys, vapidKeys } from "./web-push-crypto";

let cached: { secret: string; keys: Promise<VapidKeys | undefined> } | undefined;

/** The keys, or undefined when the secret is unset or not a P-256 private key (then nobody gets pushes). */
export function vapidOf(env: Env): Promise<VapidKeys | undefined> {
  const secret = env.VAPID_PRIVATE_KEY ?? "";
  if (!secret) return Promise.resolve(undefined);
  if (cached?.secret !== secret) cached = { secret, keys: vapidKeys(secret) };
  return cached.keys;
}

export const vapidSubject = (env: Env) => env.VAPID_SUBJECT || "mailto:push@example.invalid";
