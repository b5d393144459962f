/** Blocking, callable from any surface. A block decides who may post in the pair's DM, so when that DM exists the change runs in its room (blocks.handlers.ts). */
import type { Deps } from "../../env";
import { ApiError, userNotFound } from "../../platform/errors";
import { getUser } from "../users/users.queries";
import * as q from "./blocks.queries";

export async function setBlocked({ db }: Deps, me: string, userId: string, blocked: boolean) {
  if (!blocked) return void (await q.unblockUser(db, me, userId));
  if (userId === me) throw new ApiError("VALIDATION_FAILED", "You cannot block yourself");
  if (!(await getUser(db, userId))) throw userNotFound(userId);
  await q.blockUser(db, me, userId);
}
