/**
 * Finding people (DESIGN §19): by the start of their id, or of any word of their display name (the
 * `users_fts` index folds case and accents: drizzle/0013_people_directory.sql). Publishers are not
 * people. `sharedWith`: only users who share a channel with that user (USER_DIRECTORY=shared).
 */
import { and, asc, eq, gte, lt, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { channelMembers, users } from "../../db/schema";
import type { Db } from "../../env";

export interface Person {
  id: string;
  displayName: string;
  createdAt: number;
}

/** The FTS5 query for `q`: every word a prefix, all required; quotes doubled (the words are data). */
export function prefixQuery(q: string): string | undefined {
  const words = q.split(/[\s"]+/u).filter(Boolean);
  return words.length ? words.map((w) => `"${w.replaceAll('"', '""')}"*`).join(" ") : undefined;
}

const sharesChannelWith = (viewer: string) => {
  const mine = alias(channelMembers, "mine");
  return sql`exists (select 1 from ${channelMembers} theirs join ${mine} on ${mine.channelId} = theirs.channel_id and ${mine.userId} = ${viewer} where theirs.user_id = ${users.id})`;
};

/** Ids starting with `q` (a primary-key range), then names matching it, best first; `viewer` left out. */
export async function searchPeople(db: Db, viewer: string, q: string, limit: number, sharedOnly: boolean): Promise<Person[]> {
  const scope = and(eq(users.kind, "user"), ne(users.id, viewer), sharedOnly ? sharesChannelWith(viewer) : undefined);
  const byId = db
    .select({ id: users.id, displayName: users.displayName, createdAt: users.createdAt })
    .from(users)
    .where(and(scope, gte(users.id, q), lt(users.id, `${q}\u{10FFFF}`)))
    .orderBy(asc(users.id))
    .limit(limit);
  const match = prefixQuery(q);
  const byName = match
    ? db
        .select({ id: users.id, displayName: users.displayName, createdAt: users.createdAt })
        .from(users)
        .where(and(scope, sql`${users}.rowid in (select rowid from users_fts where users_fts match ${match} order by rank limit ${limit * 4})`))
        .limit(limit * 4)
    : undefined;
  const [ids, names] = await Promise.all([byId, byName ?? Promise.resolve([])]);
  // Best first: an exact id, ids that start with q, then names (a name starting with q before one
  // whose later word does, then alphabetical).
  const folded = fold(q);
  const rankName = (p: Person) => (fold(p.displayName).startsWith(folded) ? 0 : 1);
  const sortedNames = [...names].sort((a, b) => rankName(a) - rankName(b) || a.displayName.localeCompare(b.displayName));
  const seen = new Set<string>();
  const out: Person[] = [];
  for (const p of [...ids.filter((p) => p.id === q), ...ids, ...sortedNames]) {
    if (seen.has(p.id)) continue;
    seen.add(p.id);
    out.push(p);
  }
  return out.slice(0, limit);
}

/** Case and accents folded, as the index's tokenizer does. */
const fold = (s: string) => s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();

/** One person, if they exist (and, when `sharedOnly`, share a channel with `viewer`). */
export async function findPerson(db: Db, viewer: string, id: string, sharedOnly: boolean): Promise<Person | undefined> {
  return db
    .select({ id: users.id, displayName: users.displayName, createdAt: users.createdAt })
    .from(users)
    .where(and(eq(users.id, id), eq(users.kind, "user"), sharedOnly && id !== viewer ? sharesChannelWith(viewer) : undefined))
    .get();
}
