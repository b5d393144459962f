import { z } from "@hono/zod-openapi";
import { UnixSeconds } from "../../platform/schemas";

export const VapidPublicKey = z
  .object({
    public_key: z.string().openapi({
      example: "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8",
      description: "The server's VAPID public key, base64url (65-octet uncompressed P-256 point): the browser's `applicationServerKey`",
    }),
  })
  .openapi("VapidPublicKey");

const base64url = (what: string) => z.string().min(1).max(200).regex(/^[A-Za-z0-9_-]+=*$/, `${what} must be base64url`);

/** Exactly what `PushSubscription.toJSON()` gives in a browser. */
export const SubscribeBody = z
  .object({
    endpoint: z.string().min(1).max(2048).openapi({ example: "https://fcm.googleapis.com/fcm/send/dX1…", description: "The push service URL the browser was given: https and public (with DEV_LOGIN=true, http and loopback too)" }),
    expirationTime: z.number().int().nonnegative().nullable().optional().openapi({ example: null, description: "When the browser says the subscription ends (ms), or null" }),
    keys: z.object({
      p256dh: base64url("keys.p256dh").openapi({ example: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4", description: "The browser's P-256 public key, base64url" }),
      auth: base64url("keys.auth").openapi({ example: "BTBZMqHH6r4Tts7J_aSIgg", description: "The browser's 16-octet auth secret, base64url" }),
    }),
  })
  .openapi("PushSubscriptionInput");

export const PushSubscription = z
  .object({
    id: z.string().openapi({ example: "ps_01J9Z3…" }),
    endpoint: z.string().openapi({ example: "https://fcm.googleapis.com/fcm/send/dX1…" }),
    expiration_time: z.number().int().nullable().openapi({ example: null, description: "As the browser gave it (ms), or null" }),
    created_at: UnixSeconds,
  })
  .openapi("PushSubscription");

export const SubscriptionParams = z.object({
  subscriptionID: z.string().min(1).max(64).openapi({ param: { name: "subscriptionID", in: "path" }, example: "ps_01J9Z3…" }),
});

export function subscriptionJson(row: { id: string; endpoint: string; expiresAt: number | null; createdAt: number }) {
  return { id: row.id, endpoint: row.endpoint, expiration_time: row.expiresAt, created_at: Math.floor(row.createdAt / 1000) };
}
