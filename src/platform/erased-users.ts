/**
 * Refusing erased users' tokens (DESIGN §17: 403 `AUTH_USER_DELETED`). The check reads the
 * directory's `erasures` row for the token's pseudonym; an isolate remembers for a minute that a
 * user was not erased, so steady-state requests cost no D1 read. An erasure made in this isolate
 * forgets the user at once; one made elsewhere is seen here within RECHECK_MS.
 */
import { eq } from "drizzle-orm";
import { erasures } from "../db/compliance";
import type { Db, Env } from "../env";
import { userDeleted } from "./errors";
import { pseudonymOf } from "./pseudonym";

export const RECHECK_MS = 60_000;
const notErased = new Map<string, number>();
const MAX_REMEMBERED = 10_000;

export async function refuseErased(db: Db, env: Env, userId: string, now = Date.now()) {
  const checkedAt = notErased.get(userId);
  if (checkedAt !== undefined && now - checkedAt < RECHECK_MS) return;
  const row = await db.select({ p: erasures.pseudonym }).from(erasures).where(eq(erasures.pseudonym, await pseudonymOf(env.FILE_URL_SECRET, userId))).get();
  if (row) {
    notErased.delete(userId);
    throw userDeleted();
  }
  if (notErased.size >= MAX_REMEMBERED) notErased.clear();
  notErased.set(userId, now);
}

/** Called by an erasure: this isolate checks the user again on their next request. */
export const forgetErasureCheck = (userId: string) => notErased.delete(userId);
