/**
 * Ending an erased user's membership of one channel (DESIGN §17), run in the channel's room like
 * every rights change (src/room/changes.ts `eraseMember`): unlike a user leaving, it also ends DM
 * memberships and an owner's (the channel is left without an owner; the operator can assign one).
 * The room then announces `member_remove` and closes the user's sockets (4003). Idempotent.
 */
import { and, eq } from "drizzle-orm";
import { channels } from "../../db/directory";
import type { Deps } from "../../env";
import { announceRemoval } from "../../realtime/notify";
import { removeMember } from "../members/members.queries";

export async function eraseMember(deps: Deps, userId: string, channelId: string): Promise<boolean> {
  const { db } = deps;
  if (!(await removeMember(db, channelId, userId))) return false;
  await db.update(channels).set({ ownerId: null }).where(and(eq(channels.id, channelId), eq(channels.ownerId, userId)));
  await announceRemoval(deps, channelId, userId);
  return true;
}
