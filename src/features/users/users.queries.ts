import { eq, inArray } from "drizzle-orm";
import type { Db } from "../../env";
import { users } from "../../db/schema";
import { forgetName } from "../../platform/user-names";

export async function getUser(db: Db, id: string) {
  return db.query.users.findFirst({ where: eq(users.id, id) });
}

/** Which of `ids` (at most 100: D1's bound-parameter limit) are known users. */
export async function findExistingUserIds(db: Db, ids: string[]) {
  const rows = await db.select({ id: users.id }).from(users).where(inArray(users.id, ids));
  return rows.map((r) => r.id);
}

/** Display names of up to 100 users, by id (unknown ids are left out). */
export async function displayNames(db: Db, ids: string[]) {
  const rows = ids.length ? await db.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, ids)) : [];
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Creates or renames a user ahead of their first login (admin provisioning). */
export async function provisionUser(db: Db, id: string, displayName: string) {
  forgetName(id);
  const now = Date.now();
  return db
    .insert(users)
    .values({ id, displayName, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: users.id, set: { displayName, updatedAt: now } })
    .returning()
    .get();
}
