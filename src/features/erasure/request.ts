/**
 * Asking for an erasure (DESIGN §17): the record, the "Deleted user" name and the audit entry in one
 * transaction, then the job. From the commit on, the user's tokens are refused (src/platform/
 * erased-users.ts). Asking again answers the first request's state and queues a run again (harmless,
 * and it restarts one that stalled).
 */
import { erasures } from "../../db/compliance";
import type { Db, Env } from "../../env";
import { forgetKnownUser, isReservedUserId } from "../../platform/auth";
import { forgetErasureCheck } from "../../platform/erased-users";
import { ApiError, userNotFound } from "../../platform/errors";
import { pseudonymOf } from "../../platform/pseudonym";
import { forgetName } from "../../platform/user-names";
import { appendAudit } from "../audit/audit";
import { getUser } from "../users/users.queries";
import { queueErasure } from "./erase";
import { findErasure, renameUser } from "./erasure.queries";

export async function requestErasure(env: Env, db: Db, userId: string, messages: "delete" | "keep", by: "admin" | "self") {
  if (isReservedUserId(userId)) throw new ApiError("VALIDATION_FAILED", "Publishers, API keys and erased users cannot be erased");
  const pseudonym = await pseudonymOf(env.FILE_URL_SECRET, userId);
  let erasure = await findErasure(db, pseudonym);
  if (!erasure) {
    const user = await getUser(db, userId);
    if (!user || user.kind !== "user") throw userNotFound(userId);
    const now = Date.now();
    await db.batch([
      db.insert(erasures).values({ pseudonym, userId, messages, status: "running", requestedBy: by, requestedAt: now }).onConflictDoNothing(),
      renameUser(db, userId, now),
      appendAudit(db, { actor: by === "admin" ? "admin" : pseudonym, action: "user.erase", targetUserId: pseudonym, details: { messages, requested_by: by } }, now),
    ]);
    erasure = (await findErasure(db, pseudonym))!;
  }
  forgetKnownUser(userId);
  forgetErasureCheck(userId);
  forgetName(userId);
  if (erasure.status !== "done") await queueErasure(env, pseudonym);
  return { id: pseudonym, status: erasure.status, messages: erasure.messages };
}
