import { env } from "cloudflare:test";
import { expect } from "vitest";
import { uniqueId } from "./api";
import { admin } from "./integration";

/** One delivery as the receiver (test/receiver/server.mjs) saw it. */
export interface Received {
  at: number;
  headers: Record<string, string>;
  body: string;
  answered: number;
}

/** A fresh receiver bucket and its URL; the first `fail` attempts of each delivery get `status`. */
export function receiver(opts: { fail?: number; status?: number; delay?: number; slow?: number } = {}) {
  const bucket = uniqueId("b");
  const query = new URLSearchParams();
  if (opts.fail) query.set("fail", String(opts.fail));
  if (opts.status) query.set("status", String(opts.status));
  if (opts.delay) query.set("delay", String(opts.delay));
  if (opts.slow) query.set("slow", String(opts.slow));
  const url = `${env.WEBHOOK_RECEIVER}/hooks/${bucket}${query.size ? `?${query}` : ""}`;
  return { bucket, url };
}

export async function receivedBy(bucket: string): Promise<Received[]> {
  return (await fetch(`${env.WEBHOOK_RECEIVER}/log/${bucket}`)).json();
}

/** Waits until `bucket` got at least `n` requests (or fails after `ms`). */
export async function received(bucket: string, n: number, ms = 20_000): Promise<Received[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await receivedBy(bucket);
    if (got.length >= n) return got;
    if (Date.now() > deadline) throw new Error(`receiver ${bucket} got ${got.length} of ${n} deliveries in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Polls until `check` returns something truthy. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A receiver's check of X-Webhook-Signature, written independently of src/webhooks/signature.ts. */
export async function verifySignature(secret: string, header: string | undefined, rawBody: string, toleranceSeconds = 300) {
  const match = header?.match(/^t=(\d+),v1=([0-9a-f]{64})$/);
  if (!match) return false;
  const [, t, v1] = match;
  if (Math.abs(Date.now() / 1000 - Number(t)) > toleranceSeconds) return false;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const mac = new Uint8Array(v1!.match(/../g)!.map((h) => parseInt(h, 16)));
  return crypto.subtle.verify("HMAC", key, mac, new TextEncoder().encode(`${t}.${rawBody}`));
}

/** Creates an app webhook through the admin API; asserts 201. */
export async function appWebhook(body: { url: string; events: string[]; secret?: string }) {
  const res = await admin("POST", "/admin/v1/webhooks", body);
  expect(res.status, res.text).toBe(201);
  return res.json as { id: number; url: string; events: string[]; has_secret: boolean; disabled: boolean };
}

export const deliveriesOf = async (id: number) => (await admin("GET", `/admin/v1/webhooks/${id}/deliveries?limit=100`)).json;
