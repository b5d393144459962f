import { and, eq, isNull } from "drizzle-orm";
import { channels, legalHoldTargets, legalHolds } from "../../db/directory";
import type { Db } from "../../env";
import { channelNotFound } from "../../platform/errors";
import type { AppRouteHandler } from "../../platform/openapi";
import { seconds } from "../../platform/schemas";
import { appendAudit } from "../audit/audit";
import { readSetting, writeSetting } from "./retention.queries";
import type * as routes from "./retention.routes";
import { RETENTION_DAYS, RETENTION_SWEEP, type SweepReport } from "./sweep";

async function appView(db: Db) {
  const [days, sweep] = await Promise.all([readSetting<number | null>(db, RETENTION_DAYS), readSetting<SweepReport>(db, RETENTION_SWEEP)]);
  return {
    days: days ?? null,
    last_sweep: sweep ? { ...sweep, started_at: seconds(sweep.started_at), finished_at: seconds(sweep.finished_at) } : null,
  };
}

async function channelView(db: Db, channelId: string) {
  const [rows, held, appDefault] = await Promise.all([
    db.select({ days: channels.retentionDays }).from(channels).where(and(eq(channels.id, channelId), isNull(channels.deletedAt))),
    db
      .select({ id: legalHolds.id })
      .from(legalHoldTargets)
      .innerJoin(legalHolds, eq(legalHolds.id, legalHoldTargets.holdId))
      .where(and(eq(legalHoldTargets.kind, "channel"), eq(legalHoldTargets.targetId, channelId), isNull(legalHolds.releasedAt)))
      .limit(1),
    readSetting<number | null>(db, RETENTION_DAYS),
  ]);
  const row = rows[0];
  if (!row) throw channelNotFound();
  return { channel_id: channelId, days: row.days, effective_days: row.days ?? appDefault ?? null, on_hold: held.length > 0 };
}

export const getAppRetention: AppRouteHandler<typeof routes.getAppRetention> = async (c) => c.json(await appView(c.get("db")), 200);

export const putAppRetention: AppRouteHandler<typeof routes.putAppRetention> = async (c) => {
  const db = c.get("db");
  const { days } = c.req.valid("json");
  await db.batch([writeSetting(db, RETENTION_DAYS, days), appendAudit(db, { actor: "admin", action: "retention.set", details: { days } })]);
  return c.json(await appView(db), 200);
};

export const getChannelRetention: AppRouteHandler<typeof routes.getChannelRetention> = async (c) => c.json(await channelView(c.get("db"), c.req.valid("param").channelID), 200);

export const putChannelRetention: AppRouteHandler<typeof routes.putChannelRetention> = async (c) => {
  const db = c.get("db");
  const { channelID } = c.req.valid("param");
  const { days } = c.req.valid("json");
  await channelView(db, channelID); // 404 for a missing channel, before anything is written or audited
  await db.batch([
    db.update(channels).set({ retentionDays: days }).where(eq(channels.id, channelID)),
    appendAudit(db, { actor: "admin", action: "retention.channel_set", channelId: channelID, details: { days } }),
  ]);
  return c.json(await channelView(db, channelID), 200);
};
