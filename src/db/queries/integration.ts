import { and, asc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../../env";
import { apiKeys, channels, publishers, users } from "../schema";

export const publisherUserId = (id: number) => `pub_${id}`;

export async function insertApiKey(db: Db, row: typeof apiKeys.$inferInsert) {
  return db.insert(apiKeys).values(row).returning().get();
}

export async function listApiKeys(db: Db) {
  return db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt));
}

/** Revokes a key; true when it existed and was live. Takes effect on the very next request. */
export async function revokeApiKey(db: Db, id: string, now: number) {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

export async function findLiveKey(db: Db, keyHash: string) {
  return db.query.apiKeys.findFirst({ where: and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)) });
}

/** Records use at most once a minute, so a busy key does not write on every request. */
export async function touchApiKey(db: Db, id: string, now: number) {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, now - 60_000))));
}

/** A publisher and its `pub_<id>` user row, atomically (the user id comes from the new row id). */
export async function createPublisher(db: Db, name: string, imageUrl: string | null) {
  const now = Date.now();
  const [created] = await db.batch([
    db.insert(publishers).values({ name, imageUrl, createdAt: now }).returning(),
    db.insert(users).values({ id: sql`'pub_' || last_insert_rowid()`, displayName: name, kind: "publisher", createdAt: now, updatedAt: now }),
  ]);
  return created[0]!;
}

export async function listPublishers(db: Db, limit = 1000, offset = 0) {
  return db.select().from(publishers).where(isNull(publishers.deletedAt)).orderBy(asc(publishers.id)).limit(limit).offset(offset);
}

export async function getPublisher(db: Db, id: number) {
  return db.query.publishers.findFirst({ where: and(eq(publishers.id, id), isNull(publishers.deletedAt)) });
}

/** Renames keep the publisher's user row in step, so old and new messages show the new name. */
export async function updatePublisher(db: Db, id: number, changes: { name?: string; imageUrl?: string | null }) {
  const [updated] = await db.batch([
    db.update(publishers).set(changes).where(and(eq(publishers.id, id), isNull(publishers.deletedAt))).returning(),
    db
      .update(users)
      .set(changes.name ? { displayName: changes.name, updatedAt: Date.now() } : { updatedAt: Date.now() })
      .where(eq(users.id, publisherUserId(id))),
  ]);
  return updated[0];
}

/** Retires a publisher: it can no longer send; its past messages keep their author. */
export async function deletePublisher(db: Db, id: number) {
  const rows = await db
    .update(publishers)
    .set({ deletedAt: Date.now() })
    .where(and(eq(publishers.id, id), isNull(publishers.deletedAt)))
    .returning({ id: publishers.id });
  return rows.length > 0;
}

/** Team chats and broadcast channels (never DMs), oldest first, offset paging. */
export async function listConversations(db: Db, limit: number, offset: number) {
  return db
    .select({ id: channels.id, name: channels.name, broadcast: channels.broadcast })
    .from(channels)
    .where(and(sql`${channels.type} != 'dm'`, eq(channels.archived, false), isNull(channels.deletedAt)))
    .orderBy(asc(channels.id))
    .limit(limit)
    .offset(offset);
}
