/** Blocking, callable from any surface. A block decides who may post in the pair's DM, so when that DM exists the change runs in its room (blocks.handlers.ts). */
import type { Deps } from "../../env";
import { ApiError, userNotFound } from "../../platform/errors";
import { getUser } from "../users/users.queries";
import * as q from "./blocks.queries";

/** Adding someone to a group or room who blocked you: refused, as a DM with them is. */
export const blockedByTarget = () => new ApiError("CHAT_DM_BLOCKED_USER", "This user has blocked you: you cannot add them to a channel");

/** Refuses when any of `userIds` blocked `me`. */
export async function refuseBlockers(db: Deps["db"], me: string, userIds: string[]) {
  if (await q.firstBlockerAmong(db, me, userIds)) throw blockedByTarget();
}

export async function setBlocked({ db }: Deps, me: string, userId: string, blocked: boolean) {
  if (!blocked) return void (await q.unblockUser(db, me, userId));
  if (userId === me) throw new ApiError("VALIDATION_FAILED", "You cannot block yourself");
  if (!(await getUser(db, userId))) throw userNotFound(userId);
  await q.blockUser(db, me, userId);
}
