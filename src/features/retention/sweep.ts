/**
 * The hourly retention sweep (DESIGN §17): every channel with a limit (its own, or the app default),
 * on every shard, loses its messages older than the limit, with their reactions, pins, mention rows,
 * search entries, thread counts and upload bytes, in bounded chunks within a time budget. A sweep that
 * runs out of time records where it stopped and the next hour resumes there. No events are sent.
 */
import type { Db, Env } from "../../env";
import { type ChannelCutoff, type ExpiredRow, channelRemains, findExpired, ownMessagesAfter, removeExpired } from "../../history";
import { idFloorAt } from "../../platform/ids";
import { plainHistory } from "../../platform/shards";
import { retireMessageUploads } from "../attachments/attachments.queries";
import { removeRetired } from "../attachments/orphans";
import { appendAudit } from "../audit/audit";
import { DAY_MS, activeHoldTargets, channelsToSweep, forgetInDirectory, membersBelowWithOwn, raiseFloor, readSetting, writeSetting } from "./retention.queries";

/** Expired messages per chunk (one shard transaction, one directory transaction). */
export const SWEEP_CHUNK = 450;
/** Channels read per page (they go to the shard as one JSON parameter). */
export const SWEEP_PAGE = 100;
/** Wall time one cron run spends before leaving the rest to the next hour. */
export const SWEEP_BUDGET_MS = 5 * 60 * 1000;
/**
 * Ids are minted a moment before the room stamps `created_at`, on another machine's clock: the index
 * range reaches this far past the cutoff, and `created_at` decides.
 */
const ID_SLACK_MS = 60_000;

export const RETENTION_DAYS = "retention_days";
export const RETENTION_SWEEP = "retention_sweep";
const RETENTION_CURSOR = "retention_cursor";

/** What the last sweep did (GET /admin/v1/retention). */
export interface SweepReport {
  started_at: number;
  finished_at: number;
  /** False when the time budget ran out: the next run resumes where this one stopped. */
  complete: boolean;
  channels: number;
  messages: number;
  attachments: number;
  attachment_bytes: number;
}

/** What removed chunks add up to (erasure reuses `removeChunk`: src/features/erasure/erase.ts). */
export interface Totals {
  messages: number;
  attachments: number;
  bytes: number;
  channels: Set<string>;
}

/**
 * One sweep. `now` is the clock retention is measured by; `clock` spends the budget (both injectable,
 * so a test controls them). Never throws: a failure is logged and the next run starts over there.
 */
export async function sweepRetention(env: Env, db: Db, now = Date.now(), budgetMs = SWEEP_BUDGET_MS, clock = Date.now): Promise<SweepReport> {
  const deadline = clock() + budgetMs;
  const appDefault = (await readSetting<number | null>(db, RETENTION_DAYS)) ?? null;
  const holds = await activeHoldTargets(db);
  let cursor = (await readSetting<string>(db, RETENTION_CURSOR)) ?? "";
  const totals: Totals = { messages: 0, attachments: 0, bytes: 0, channels: new Set() };
  let complete = false;
  try {
    for (;;) {
      const page = await channelsToSweep(db, cursor, appDefault, SWEEP_PAGE);
      const byShard = new Map<string, ChannelCutoff[]>();
      for (const c of page) {
        if (holds.channels.has(c.id)) continue;
        const cutoff = now - (c.retentionDays ?? appDefault!) * DAY_MS;
        const list = byShard.get(c.shard) ?? byShard.set(c.shard, []).get(c.shard)!;
        list.push({ channelId: c.id, cutoff, before: idFloorAt(cutoff + ID_SLACK_MS) });
      }
      for (const [shard, list] of byShard) {
        const finished = await sweepShardPage(env, db, shard, list, holds.users, now, totals, () => clock() < deadline);
        if (!finished) return await report(db, now, totals, false, cursor);
      }
      if (page.length < SWEEP_PAGE) break;
      cursor = page.at(-1)!.id;
      if (clock() >= deadline) return await report(db, now, totals, false, cursor);
    }
    complete = true;
  } catch (err) {
    console.error(JSON.stringify({ level: "warn", cron: "retention", removed: totals.messages, error: String(err) }));
  }
  return report(db, now, totals, complete, complete ? "" : cursor);
}

/**
 * A page's channels on one shard: chunks until none is expired (true), or the budget is spent
 * (false: the page is done again next run; what went is gone and counted). Then each touched
 * channel's read cursors and deleted positions are tidied.
 */
async function sweepShardPage(env: Env, db: Db, shard: string, list: ChannelCutoff[], heldUsers: string[], now: number, totals: Totals, inBudget: () => boolean) {
  const history = plainHistory(env)(shard);
  const touched = new Set<string>();
  let finished = false;
  for (;;) {
    const rows = await findExpired(history, list, heldUsers, SWEEP_CHUNK);
    if (rows.length) await removeChunk(env, db, history, rows, now, totals);
    for (const r of rows) touched.add(r.channelId);
    // Until a query finds nothing: a chunk that took a thread's last replies leaves its tombstoned root to the next.
    if (rows.length === 0) {
      finished = true;
      break;
    }
    if (!inBudget()) break;
  }
  const cutoffs = new Map(list.map((c) => [c.channelId, c.cutoff]));
  const remains = await channelRemains(history, [...touched]);
  for (const r of remains) {
    const floor = r.min_position === null ? undefined : r.min_position - 1;
    const recounted = [];
    if (floor !== undefined && floor > 0) {
      for (const m of await membersBelowWithOwn(db, r.channel_id, floor)) recounted.push({ userId: m.userId, ownAfter: await ownMessagesAfter(history, r.channel_id, m.userId, floor) });
    }
    // No message left at all: every cursor may rise to the channel's last position.
    const top = floor ?? (await lastPositionOf(db, r.channel_id));
    const [first, ...rest] = raiseFloor(db, r.channel_id, top, recounted, { at: r.newest, cutoff: cutoffs.get(r.channel_id)! });
    await db.batch([first!, ...rest]);
    totals.channels.add(r.channel_id);
  }
  return finished;
}

async function lastPositionOf(db: Db, channelId: string) {
  const row = await db.query.channels.findFirst({ columns: { lastPosition: true }, where: (c, { eq }) => eq(c.id, channelId) });
  return row?.lastPosition ?? 0;
}

/**
 * One chunk, in the order that never leaves a count wrong or bytes behind a row: the directory first
 * (uploads retired so no signed URL serves them, deleted positions and mention rows), then the shard,
 * then the bytes and upload rows (a failure there leaves retired rows to the orphan cron).
 */
export async function removeChunk(env: Env, db: Db, history: ReturnType<ReturnType<typeof plainHistory>>, rows: ExpiredRow[], now: number, totals: Totals) {
  const uploads = await retireMessageUploads(db, rows.map((r) => r.id));
  const positions = rows.flatMap((r) => (r.position === null ? [] : [{ channelId: r.channelId, position: r.position, senderId: r.senderId }]));
  const mentioned = rows.filter((r) => r.mentionedUserIds.length).map((r) => ({ channelId: r.channelId, messageId: r.id, userIds: r.mentionedUserIds }));
  const items = forgetInDirectory(db, positions, mentioned);
  const [first, ...rest] = items;
  if (first) await db.batch([first, ...rest]);
  await removeExpired(history, rows, now);
  const retired = new Set(uploads);
  const sizes = new Map(rows.flatMap((r) => r.attachments.map((a) => [a.asset_id, a.size_bytes] as const)));
  try {
    await removeRetired(env, db, uploads);
  } catch (err) {
    console.error(JSON.stringify({ level: "warn", cron: "retention", cleanup: "uploads", error: String(err) }));
  }
  totals.messages += rows.length;
  totals.attachments += retired.size;
  for (const id of retired) totals.bytes += sizes.get(id) ?? 0;
}

/** Stores the report and the resume point, and appends the sweep to the audit log when it removed anything. */
async function report(db: Db, startedAt: number, totals: Totals, complete: boolean, cursor: string): Promise<SweepReport> {
  const done: SweepReport = {
    started_at: startedAt,
    finished_at: Math.max(startedAt, Date.now()),
    complete,
    channels: totals.channels.size,
    messages: totals.messages,
    attachments: totals.attachments,
    attachment_bytes: totals.bytes,
  };
  const writes = [writeSetting(db, RETENTION_SWEEP, done), writeSetting(db, RETENTION_CURSOR, cursor)] as const;
  if (totals.messages > 0) {
    await db.batch([...writes, appendAudit(db, { actor: "system", action: "retention.sweep", details: { ...done } })]);
  } else {
    await db.batch(writes);
  }
  return done;
}
