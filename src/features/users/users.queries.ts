import { eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../env";
import { users } from "../../db/schema";
import { forgetName } from "../../platform/user-names";

export async function getUser(db: Db, id: string) {
  return db.query.users.findFirst({ where: eq(users.id, id) });
}

/** Do not disturb until `until` (ms), or off (null). The row after. */
export async function setDndUntil(db: Db, id: string, until: number | null) {
  return db.update(users).set({ dndUntil: until }).where(eq(users.id, id)).returning().get();
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

/** Rows per insert of a batch: 5 bound parameters each (the kind default too) and one for the update, within D1's 100 per statement. */
const PROVISION_CHUNK = 15;

/**
 * Creates or renames many users at once (an HR or identity system's import): a few statements
 * whatever the count. Answers how many were created and how many already existed.
 */
export async function provisionUsers(db: Db, list: { id: string; displayName: string }[]) {
  const existing = new Set<string>();
  for (let i = 0; i < list.length; i += 100) for (const id of await findExistingUserIds(db, list.slice(i, i + 100).map((u) => u.id))) existing.add(id);
  const now = Date.now();
  const writes = [];
  for (let i = 0; i < list.length; i += PROVISION_CHUNK) {
    const rows = list.slice(i, i + PROVISION_CHUNK).map((u) => ({ id: u.id, displayName: u.displayName, createdAt: now, updatedAt: now }));
    writes.push(db.insert(users).values(rows).onConflictDoUpdate({ target: users.id, set: { displayName: sql`excluded.display_name`, updatedAt: now } }));
  }
  const [first, ...rest] = writes;
  if (first) await db.batch([first, ...rest]);
  for (const u of list) forgetName(u.id);
  return { created: list.length - existing.size, updated: existing.size };
}
