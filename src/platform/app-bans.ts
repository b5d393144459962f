/**
 * Refusing app-banned users (DESIGN §15: every request 403 `AUTH_USER_BANNED`). Like erasure's check
 * (erased-users.ts), an isolate remembers a user's standing for RECHECK_MS, so steady-state requests
 * cost no D1 read; a ban or unban made in this isolate is seen at once, one made elsewhere within
 * RECHECK_MS. A shadow ban is not refused here: the shadow-banned keep using the app.
 */
import { eq } from "drizzle-orm";
import { appBans } from "../db/moderation";
import type { Db } from "../env";
import { ApiError } from "./errors";

export const RECHECK_MS = 15_000;
const MAX_REMEMBERED = 10_000;
/** userId → when checked, and the ban's end (null: until lifted; undefined: not banned). */
const known = new Map<string, { checkedAt: number; until?: number | null }>();

const inForce = (until: number | null | undefined, now: number) => until === null || (until !== undefined && until > now);

export async function refuseAppBanned(db: Db, userId: string, now = Date.now()) {
  let entry = known.get(userId);
  if (!entry || now - entry.checkedAt >= RECHECK_MS || now < entry.checkedAt) {
    const row = await db.select({ expiresAt: appBans.expiresAt, shadow: appBans.shadow }).from(appBans).where(eq(appBans.userId, userId)).get();
    entry = { checkedAt: now, until: row && !row.shadow ? row.expiresAt : undefined };
    if (known.size >= MAX_REMEMBERED) known.clear();
    known.set(userId, entry);
  }
  if (inForce(entry.until, now)) {
    const until = entry.until!;
    throw new ApiError("AUTH_USER_BANNED", `This account is banned ${until === null ? "until lifted" : `until ${new Date(until).toISOString()}`}`, { expires_at: until === null ? null : Math.ceil(until / 1000) });
  }
}

/** Called by a ban or unban: this isolate reads the user's standing again on their next request. */
export const forgetAppBanCheck = (userId: string) => known.delete(userId);
