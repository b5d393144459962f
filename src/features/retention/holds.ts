/**
 * `/admin/v1/legal-holds` (DESIGN §17): while a hold is active, the retention sweep keeps every
 * message of the channels it names and every message the users it names sent. Releasing it (DELETE)
 * lets the next sweep apply retention again. Holds are kept after release (with `released_at`), as a
 * record of what was held when.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { createRouter } from "../../app";
import { legalHoldTargets, legalHolds } from "../../db/directory";
import type { Db } from "../../env";
import { ApiError } from "../../platform/errors";
import { newId } from "../../platform/ids";
import { errorResponses, json, jsonBody } from "../../platform/openapi";
import { Snowflake, UserId, seconds } from "../../platform/schemas";
import { adminSecurity } from "../admin/admin.schemas";
import { appendAudit } from "../audit/audit";

const HoldBody = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ description: "What the hold is for (a matter or case name), 1–200 characters" }),
    user_ids: z.array(UserId).max(90).default([]).openapi({ description: "Every message these users sent, in any channel (at most 90)" }),
    channel_ids: z.array(Snowflake).max(90).default([]).openapi({ description: "Every message of these channels (at most 90)" }),
  })
  .refine((b) => b.user_ids.length + b.channel_ids.length > 0, "name at least one user or channel")
  .openapi("LegalHoldBody", { example: { name: "Smith v. Acme", user_ids: ["carol"], channel_ids: [] } });

const Hold = z
  .object({
    id: Snowflake,
    name: z.string(),
    user_ids: z.array(z.string()),
    channel_ids: z.array(z.string()),
    created_at: z.number().int(),
    released_at: z.number().int().nullable().openapi({ description: "Null while the hold is active" }),
  })
  .openapi("LegalHold", { example: { id: "1843027512262930999", name: "Smith v. Acme", user_ids: ["carol"], channel_ids: [], created_at: 1767225420, released_at: null } });

const HoldParams = z.object({ holdID: Snowflake.openapi({ param: { name: "holdID", in: "path" } }) });

const holdNotFound = () => new ApiError("NOT_FOUND", "No legal hold with this id");

const createHold = createRoute({
  method: "post",
  path: "/admin/v1/legal-holds",
  tags: ["Compliance"],
  security: adminSecurity,
  summary: "Place a legal hold on users' messages and whole channels",
  description:
    "Operators only. From now until released, the hourly retention sweep removes nothing the hold covers: every message of `channel_ids`, and every message " +
    "`user_ids` sent, in any channel. Ids are not checked against the directory (a hold may name a channel or user before it exists). Recorded in the audit log. " +
    "Without any user or channel, or with an empty name: 400 `VALIDATION_FAILED`. While held, a message's edit or delete keeps the version it replaces (users still see the edit or tombstone); an erasure leaves held messages as they are until release. See docs/retention.md.",
  request: { body: jsonBody(HoldBody) },
  responses: { 201: json(Hold, "The hold, active"), ...errorResponses(400) },
});

const listHolds = createRoute({
  method: "get",
  path: "/admin/v1/legal-holds",
  tags: ["Compliance"],
  security: adminSecurity,
  summary: "Legal holds, newest first (active and released)",
  description: "Operators only. The newest 100 holds, active ones with `released_at: null`.",
  responses: { 200: json(z.object({ holds: z.array(Hold) }), "The holds") },
});

const releaseHold = createRoute({
  method: "delete",
  path: "/admin/v1/legal-holds/{holdID}",
  tags: ["Compliance"],
  security: adminSecurity,
  summary: "Release a legal hold",
  description:
    "Operators only. The hold stays listed with its `released_at`; what it covered is subject to retention again from the next hourly sweep (unless another active hold covers it). " +
    "Releasing a hold already released is 204 too. An unknown id: 404 `NOT_FOUND`. Recorded in the audit log.",
  request: { params: HoldParams },
  responses: { 204: { description: "Released" }, ...errorResponses(404) },
});

async function describeHolds(db: Db, rows: (typeof legalHolds.$inferSelect)[]) {
  const targets = rows.length ? await db.select().from(legalHoldTargets).where(inArray(legalHoldTargets.holdId, rows.map((r) => r.id))) : [];
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    user_ids: targets.filter((t) => t.holdId === r.id && t.kind === "user").map((t) => t.targetId),
    channel_ids: targets.filter((t) => t.holdId === r.id && t.kind === "channel").map((t) => t.targetId),
    created_at: seconds(r.createdAt),
    released_at: r.releasedAt === null ? null : seconds(r.releasedAt),
  }));
}

export const legalHoldsRouter = createRouter()
  .openapi(createHold, async (c) => {
    const db = c.get("db");
    const body = c.req.valid("json");
    const now = Date.now();
    const id = newId(now);
    const targets = [
      ...[...new Set(body.user_ids)].map((targetId) => ({ holdId: id, kind: "user" as const, targetId })),
      ...[...new Set(body.channel_ids)].map((targetId) => ({ holdId: id, kind: "channel" as const, targetId })),
    ];
    const inserts = [];
    for (let i = 0; i < targets.length; i += 30) inserts.push(db.insert(legalHoldTargets).values(targets.slice(i, i + 30)));
    await db.batch([
      db.insert(legalHolds).values({ id, name: body.name, createdAt: now }),
      ...inserts,
      appendAudit(db, { actor: "admin", action: "legal_hold.create", reason: body.name, details: { hold_id: id, user_ids: body.user_ids, channel_ids: body.channel_ids } }, now),
    ]);
    const [hold] = await describeHolds(db, await db.select().from(legalHolds).where(eq(legalHolds.id, id)));
    return c.json(hold!, 201);
  })
  .openapi(listHolds, async (c) => {
    const db = c.get("db");
    return c.json({ holds: await describeHolds(db, await db.select().from(legalHolds).orderBy(desc(legalHolds.id)).limit(100)) }, 200);
  })
  .openapi(releaseHold, async (c) => {
    const db = c.get("db");
    const { holdID } = c.req.valid("param");
    const hold = await db.select({ releasedAt: legalHolds.releasedAt }).from(legalHolds).where(eq(legalHolds.id, holdID)).get();
    if (!hold) throw holdNotFound();
    if (hold.releasedAt === null) {
      const now = Date.now();
      await db.batch([
        db.update(legalHolds).set({ releasedAt: now }).where(and(eq(legalHolds.id, holdID), isNull(legalHolds.releasedAt))),
        appendAudit(db, { actor: "admin", action: "legal_hold.release", details: { hold_id: holdID } }, now),
      ]);
    }
    return c.body(null, 204);
  });
