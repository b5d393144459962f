/**
 * The export job (DESIGN §17): one queue message (JOBS, `{"kind":"export"}`) reads at most
 * `rowsPerRun` rows in pages (src/features/exports/steps.ts), writes them as one NDJSON part to R2,
 * moves the cursor on and queues the next run. No run holds more than one part in memory or runs
 * longer than its budget, whatever the channel's size.
 *
 * A message delivered twice reads the same rows from the same cursor and writes the same part under
 * the same key; the cursor moves by a conditional update on (cursor, parts), so only one of them
 * goes on to queue the next run.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import { channels, exportsTable } from "../../db/directory";
import type { Db, Env, ExportJob } from "../../env";
import { createDb } from "../../platform/db";
import { plainHistory, shardNames } from "../../platform/shards";
import { appendAudit } from "../audit/audit";
import { partKey } from "./files";
import { type Step, type StepContext, readPage } from "./steps";

/** Rows (messages, members, channels) per run: about 1–3 MB of NDJSON, a few seconds of D1 reads. */
export const EXPORT_ROWS_PER_RUN = 5000;
/** Wall time one run spends before writing what it has. */
export const EXPORT_BUDGET_MS = 20_000;

export const queueExport = (env: Env, id: string) => env.JOBS.send({ kind: "export", id } satisfies ExportJob, { contentType: "json" });

type ExportRow = typeof exportsTable.$inferSelect;

/** The export's steps, the same on every run (shards are only ever added at the end of the list). */
async function planSteps(env: Env, db: Db, row: ExportRow): Promise<Step[]> {
  if (row.channelIds === null) {
    const shards = shardNames(env);
    return [{ kind: "memberships" }, ...shards.map((shard) => ({ kind: "sent" as const, shard })), ...shards.map((shard) => ({ kind: "reacted" as const, shard }))];
  }
  const found = await db.select({ id: channels.id, shard: channels.shard }).from(channels).where(inArray(channels.id, row.channelIds));
  const shardOf = new Map(found.map((c) => [c.id, c.shard]));
  // A channel deleted since the request exports nothing: its steps stay in the list so step numbers hold.
  return row.channelIds.flatMap((channelId): Step[] => [
    { kind: "channel", channelId },
    { kind: "messages", channelId, shard: shardOf.get(channelId) ?? "" },
  ]);
}

export interface RunLimits {
  rowsPerRun: number;
  budgetMs: number;
}

/** One run; returns what it did (for the bench and tests). */
export async function runExport(env: Env, id: string, limits: RunLimits = { rowsPerRun: EXPORT_ROWS_PER_RUN, budgetMs: EXPORT_BUDGET_MS }, clock = Date.now) {
  const db = createDb(env.DB);
  const [row] = await db.select().from(exportsTable).where(eq(exportsTable.id, id));
  if (!row || row.status === "done" || row.status === "failed") return { status: row?.status ?? "unknown", rows: 0 };
  const deadline = clock() + limits.budgetMs;
  const steps = await planSteps(env, db, row);
  const ctx: StepContext = { db, history: plainHistory(env), userId: row.userId, fromId: row.fromId, toId: row.toId };

  let { step, after } = row.cursor;
  const lines: string[] = [];
  let messages = 0;
  while (step < steps.length && lines.length < limits.rowsPerRun && clock() < deadline) {
    const current = steps[step]!;
    const page = current.kind === "messages" && current.shard === "" ? { lines: [], messages: 0, next: null } : await readPage(ctx, current, after);
    for (const line of page.lines) lines.push(JSON.stringify(line));
    messages += page.messages;
    [step, after] = page.next === null ? [step + 1, null] : [step, page.next];
  }
  const done = step >= steps.length;
  const parts = lines.length ? row.parts + 1 : row.parts;
  if (lines.length) await env.ATTACHMENTS.put(partKey(id, parts), lines.join("\n") + "\n", { httpMetadata: { contentType: "application/x-ndjson" } });

  const now = Date.now();
  const moved = db
    .update(exportsTable)
    .set({ cursor: { step, after }, parts, messages: row.messages + messages, lines: row.lines + lines.length, status: done ? "done" : "running", finishedAt: done ? now : null })
    .where(and(eq(exportsTable.id, id), eq(exportsTable.parts, row.parts), sql`${exportsTable.cursor} = ${JSON.stringify(row.cursor)}`))
    .returning({ id: exportsTable.id });
  const [won] = await moved;
  // Lost the race to a duplicate delivery of this message: that run wrote the same part and goes on.
  if (!won) {
    // Or the export was deleted meanwhile (an erasure): the part just written must not outlive it.
    const [still] = await db.select({ id: exportsTable.id }).from(exportsTable).where(eq(exportsTable.id, id));
    if (!still && lines.length) await env.ATTACHMENTS.delete(partKey(id, parts));
    return { status: "raced", rows: lines.length, parts };
  }
  // The request's own entry was written with it (request.ts); this one records that the data left.
  if (done && row.requestedBy === "admin") await appendAudit(db, { actor: "system", action: "export.done", targetUserId: row.userId, details: { export_id: id, parts, messages: row.messages + messages } }, now);
  if (!done) await queueExport(env, id);
  return { status: done ? "done" : "running", rows: lines.length, parts };
}

/** A run that keeps failing (the queue's attempts are spent) marks the export failed, so callers stop waiting. */
export async function failExport(env: Env, id: string, error: string) {
  const db = createDb(env.DB);
  await db.update(exportsTable).set({ status: "failed", error: error.slice(0, 500), finishedAt: Date.now() }).where(and(eq(exportsTable.id, id), inArray(exportsTable.status, ["queued", "running"])));
}
