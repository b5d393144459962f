/**
 * The erasure job (DESIGN §17): one user forgotten across the directory, every history shard,
 * their channels' rooms and their hub, in bounded steps within a time budget per queue message
 * (JOBS, `{"kind":"erase"}`); an unfinished run queues the next, and the hourly cron restarts any
 * that stopped (and retries those waiting on a legal hold). Every step is idempotent: a run that
 * stops anywhere is simply run again.
 *
 * Order: memberships end (in each room: sockets closed, `member_remove`), then each room the user
 * may still be named in flushes and forgets them, then the hub; only then the shards, so no flush
 * brings a row of theirs back after the shard was cleaned. Messages under a legal hold (their channel
 * held, or the user) are left exactly as they are; the erasure then waits (`held`) and finishes after
 * the hold is released.
 */
import { eq } from "drizzle-orm";
import { erasures } from "../../db/compliance";
import type { Db, Deps, EraseJob, Env } from "../../env";
import { channelsSentToSince, findSentToDelete, findSentToRename, removeReactionsOf, renameMentionsAndPins, renameSender } from "../../history";
import { createDb } from "../../platform/db";
import { forgetName } from "../../platform/user-names";
import { idFloorAt } from "../../platform/ids";
import { plainHistory, shardNames } from "../../platform/shards";
import { hubOf } from "../../realtime/hubs";
import { roomOf } from "../../realtime/notify";
import { inRoom } from "../../room/changes";
import { retireMessageUploads } from "../attachments/attachments.queries";
import { removeRetired } from "../attachments/orphans";
import { appendAudit } from "../audit/audit";
import { removeExportsOf } from "../exports/forget";
import { activeHoldTargets } from "../retention/retention.queries";
import { type Totals, removeChunk } from "../retention/sweep";
import { dropMentions, dropUser, findErasure, membershipsOf, mentionsOf, pseudonymUser, retireUnusedUploads, scrubDirectory } from "./erasure.queries";

/** Rows per step (one shard transaction and one directory transaction), as the retention sweep. */
export const ERASE_CHUNK = 450;
/** Wall time one queue message spends before queuing the next. */
export const ERASE_BUDGET_MS = 20_000;
/** Rooms keep a replay log of the last 24 h: channels the user sent to since then may still name them there. */
const ROOM_LOG_MS = 24 * 60 * 60 * 1000;

export const queueErasure = (env: Env, pseudonym: string) => env.JOBS.send({ kind: "erase", pseudonym } satisfies EraseJob, { contentType: "json" });

/** One run: returns the status it left (`running` when the budget ran out and the next run is queued). */
export async function runErasure(env: Env, pseudonym: string, budgetMs = ERASE_BUDGET_MS, clock = Date.now): Promise<"running" | "held" | "done" | "unknown"> {
  const db = createDb(env.DB);
  const erasure = await findErasure(db, pseudonym);
  if (!erasure) return "unknown";
  if (erasure.status === "done" || !erasure.userId) return "done";
  const userId = erasure.userId;
  const deadline = clock() + budgetMs;
  const inBudget = () => clock() < deadline;
  const deps: Deps = { db, history: plainHistory(env), env };
  const holds = await activeHoldTargets(db);
  const userHeld = holds.users.includes(userId);
  const held = [...holds.channels];

  // 1. Memberships, each in its channel's room; 2. the rooms that may still name the user; 3. the hub.
  const rooms = new Set<string>();
  for (let page = await membershipsOf(db, userId, 50); page.length; page = await membershipsOf(db, userId, 50)) {
    for (const channelId of page) {
      await inRoom(deps, channelId, "eraseMember", userId, channelId);
      rooms.add(channelId);
    }
    if (!inBudget()) return requeue(env, pseudonym);
  }
  const since = idFloorAt(Date.now() - ROOM_LOG_MS);
  for (const shard of shardNames(env)) for (const id of await channelsSentToSince(deps.history(shard), userId, since)) rooms.add(id);
  for (const channelId of rooms) await roomOf(env, channelId).forgetUser(userId);
  await hubOf(env, userId).forget();

  // 4. Every shard: the user's messages (deleted, or kept under the pseudonym), then their reactions.
  let heldLeft = false;
  for (const shard of shardNames(env)) {
    const history = deps.history(shard);
    if (!userHeld) {
      if (erasure.messages === "delete") {
        const totals: Totals = { messages: 0, attachments: 0, bytes: 0, channels: new Set() };
        for (let rows = await findSentToDelete(history, userId, held, ERASE_CHUNK); rows.length; rows = await findSentToDelete(history, userId, held, ERASE_CHUNK)) {
          await removeChunk(env, db, history, rows, Date.now(), totals);
          if (!inBudget()) return requeue(env, pseudonym);
        }
      }
      // Kept messages, and the tombstones a delete leaves while others' replies hang off them.
      for (let rows = await findSentToRename(history, userId, held, ERASE_CHUNK); rows.length; rows = await findSentToRename(history, userId, held, ERASE_CHUNK)) {
        const ids = rows.map((r) => r.id);
        const uploads = await retireMessageUploads(db, ids);
        await renameSender(history, ids, pseudonym);
        await removeRetired(env, db, uploads);
        if (!inBudget()) return requeue(env, pseudonym);
      }
      while ((await removeReactionsOf(history, userId, held, ERASE_CHUNK)) === ERASE_CHUNK) if (!inBudget()) return requeue(env, pseudonym);
    }
    heldLeft ||= (await findSentToRename(history, userId, [], 1)).length > 0;
  }

  // 5. Mentions of the user in others' messages, and their pins, name the pseudonym.
  for (let rows = await mentionsOf(db, userId, ERASE_CHUNK); rows.length; rows = await mentionsOf(db, userId, ERASE_CHUNK)) {
    for (const shard of new Set(rows.map((r) => r.shard))) {
      await renameMentionsAndPins(deps.history(shard), userId, pseudonym, rows.filter((r) => r.shard === shard).map((r) => r.messageId));
    }
    await dropMentions(db, userId, rows.map((r) => r.messageId));
    if (!inBudget()) return requeue(env, pseudonym);
  }
  for (const shard of shardNames(env)) await renameMentionsAndPins(deps.history(shard), userId, pseudonym, []);

  // 6. Uploads no message uses.
  for (let ids = await retireUnusedUploads(db, userId, 100); ids.length; ids = await retireUnusedUploads(db, userId, 100)) {
    await removeRetired(env, db, ids);
    if (!inBudget()) return requeue(env, pseudonym);
  }
  // 7. Exports they asked for or that are about them (kept while the user is held: a hold preserves evidence).
  if (!userHeld) while ((await removeExportsOf(env, db, userId)) > 0) if (!inBudget()) return requeue(env, pseudonym);
  // 8. Everything else in the directory.
  return finish(db, erasure.pseudonym, userId, heldLeft, erasure.status === "held");
}

async function requeue(env: Env, pseudonym: string) {
  await queueErasure(env, pseudonym);
  return "running" as const;
}

/**
 * The last step, one transaction: the directory's remaining rows naming the user, and the record.
 * While held messages remain, the user row stays (renamed "Deleted user": the held messages show
 * that name) with the id in the record, for the run after the hold's release.
 */
async function finish(db: Db, pseudonym: string, userId: string, heldLeft: boolean, wasHeld: boolean) {
  const now = Date.now();
  const status = heldLeft ? ("held" as const) : ("done" as const);
  await db.batch([
    ...scrubDirectory(db, userId, pseudonym),
    pseudonymUser(db, pseudonym, now),
    ...(heldLeft ? [] : [dropUser(db, userId)]),
    db
      .update(erasures)
      .set({ status, userId: heldLeft ? userId : null, finishedAt: heldLeft ? null : now })
      .where(eq(erasures.pseudonym, pseudonym)),
    // A hold may keep an erasure waiting for months and the cron retries it hourly: "held" is recorded once.
    ...(heldLeft && wasHeld ? [] : [appendAudit(db, { actor: "system", action: heldLeft ? "user.erase_held" : "user.erase_done", targetUserId: pseudonym }, now)]),
  ]);
  forgetName(userId);
  return status;
}
