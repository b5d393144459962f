/** The hourly cron's webhook work: old logs go, deleted webhooks go, lost deliveries are queued again. */
import { createScheduledController, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newId } from "../../src/platform/ids";
import { scheduled } from "../../src/scheduled";
import { admin } from "../helpers/integration";
import { appWebhook, eventually, received, receiver } from "../helpers/webhooks";

const row = (id: string) => env.DB.prepare("select status, attempts, last_error from webhook_deliveries where id = ?").bind(id).first<{ status: string; attempts: number; last_error: string | null }>();

async function delivery(webhookId: number, fields: { attempts: number; createdAt: number; nextAttemptAt: number | null; status?: string }) {
  const id = newId();
  await env.DB.prepare(
    "insert into webhook_deliveries (id, webhook_id, event, payload, attempts, status, created_at, updated_at, next_attempt_at) values (?, ?, 'message', ?, ?, ?, ?, ?, ?)",
  )
    .bind(id, webhookId, JSON.stringify({ id, type: "message" }), fields.attempts, fields.status ?? "pending", fields.createdAt, fields.createdAt, fields.nextAttemptAt)
    .run();
  return id;
}

describe("webhook housekeeping (cron)", () => {
  it("purges week-old deliveries, drops deleted webhooks with their log, and re-queues overdue ones", async () => {
    const r = receiver();
    const hook = await appWebhook({ url: r.url, events: ["message"] });
    const gone = await appWebhook({ url: receiver().url, events: ["message"] });
    const now = Date.now();
    const old = await delivery(hook.id, { attempts: 1, createdAt: now - 8 * 86_400_000, nextAttemptAt: null, status: "succeeded" });
    const lost = await delivery(hook.id, { attempts: 1, createdAt: now - 3_600_000, nextAttemptAt: now - 3_000_000 });
    const exhausted = await delivery(hook.id, { attempts: 5, createdAt: now - 3_600_000, nextAttemptAt: now - 3_000_000 });
    const recent = await delivery(hook.id, { attempts: 1, createdAt: now, nextAttemptAt: now + 60_000 });
    const ofGone = await delivery(gone.id, { attempts: 1, createdAt: now, nextAttemptAt: null, status: "succeeded" });
    expect((await admin("DELETE", `/admin/v1/webhooks/${gone.id}`)).status).toBe(204);

    await scheduled(createScheduledController(), env);

    expect(await row(old)).toBeNull();
    expect(await row(ofGone)).toBeNull();
    expect(await env.DB.prepare("select 1 from webhooks where id = ?").bind(gone.id).first()).toBeNull();
    expect(await row(exhausted)).toMatchObject({ status: "failed", last_error: "abandoned: no attempt left" });
    expect(await row(recent)).toMatchObject({ status: "pending", attempts: 1 });
    const [got] = await received(r.bucket, 1);
    expect(got!.headers).toMatchObject({ "x-webhook-id": lost, "x-webhook-attempt": "2" });
    await eventually(async () => (await row(lost))?.status === "succeeded");
  });
});
