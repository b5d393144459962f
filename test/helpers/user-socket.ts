import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import type { TestUser } from "./api";
import { wrap } from "./ws";

export interface UserSocketOptions {
  user?: TestUser;
  ticket?: string;
  sinceSeq?: number;
}

/** UNTYPED on purpose (an Upgrade): GET /v1/ws through the Worker, answering the raw upgrade response. */
export function openUserSocket(opts: UserSocketOptions = {}) {
  const query = new URLSearchParams();
  if (opts.ticket) query.set("ticket", opts.ticket);
  if (opts.sinceSeq !== undefined) query.set("since_seq", String(opts.sinceSeq));
  const headers: Record<string, string> = { Upgrade: "websocket" };
  if (opts.user) headers.Authorization = `Bearer ${opts.user.token}`;
  return exports.default.fetch(new Request(`http://api.test/v1/ws?${query}`, { headers }));
}

/** Opens the user socket and consumes its `ready` frame. */
export async function connectUser(opts: UserSocketOptions) {
  const res = await openUserSocket(opts);
  if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
  const client = wrap(res.webSocket);
  const ready = await client.expect("ready");
  return { client, ready };
}

/** The user's hub: `stats().seq` counts every frame ever stored for them (one per hub call that delivered). */
export const hubOf = (userId: string) => env.USER_HUB.getByName(userId);

/** The directory's `user_sockets` row of a user (undefined when the user never had a socket). */
export async function userSocketsRow(userId: string) {
  return (
    (await env.DB.prepare("SELECT hub_active_until, online FROM user_sockets WHERE user_id = ?").bind(userId).first<{ hub_active_until: number; online: number }>()) ??
    undefined
  );
}

/** Waits (by polling the directory: the hub writes it after a close, asynchronously) until `check` holds. */
export async function waitForRow(userId: string, check: (row: { hub_active_until: number; online: number } | undefined) => boolean) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const row = await userSocketsRow(userId);
    if (check(row)) return row;
    if (Date.now() > deadline) throw new Error(`user_sockets of ${userId} never matched: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits (polling the hub) until its stats satisfy `check`: a socket's close reaches the hub asynchronously. */
export async function waitForHub(userId: string, check: (stats: Awaited<ReturnType<ReturnType<typeof hubOf>["stats"]>>) => boolean) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const stats = await hubOf(userId).stats();
    if (check(stats)) return stats;
    if (Date.now() > deadline) throw new Error(`hub of ${userId} never matched: ${JSON.stringify(stats)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
