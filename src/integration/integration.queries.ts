import { and, asc, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "../env";
import { forgetName } from "../platform/user-names";
import { apiKeys, apiKeyUsage, channels, integrationConversations, oauthTokens, publishers, users } from "../db/schema";

export const publisherUserId = (id: number) => `pub_${id}`;

export async function insertApiKey(db: Db, row: typeof apiKeys.$inferInsert) {
  return db.insert(apiKeys).values(row).returning().get();
}

/** Keys with the minute of their last counted request (the usage row), oldest first. */
export async function listApiKeys(db: Db) {
  return db
    .select({ key: apiKeys, lastMinute: apiKeyUsage.minute })
    .from(apiKeys)
    .leftJoin(apiKeyUsage, eq(apiKeyUsage.keyId, apiKeys.id))
    .orderBy(asc(apiKeys.createdAt));
}

/**
 * Revokes a key, and so its OAuth tokens (every lookup joins the key's `revoked_at`); true when it
 * existed and was live. Takes effect on the very next request. The token rows stay, so a client
 * still using one is known to hold a dead token rather than to be guessing.
 */
export async function revokeApiKey(db: Db, id: string, now: number) {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

/** How a request proves it acts for an API key. Secrets are SHA-256 hex; never stored or compared in clear. */
export type Credential =
  | { kind: "apiKey"; hash: string }
  | { kind: "token"; hash: string }
  | { kind: "client"; keyId: string; hash: string };

/** Per API key: requests a UTC minute and a UTC day (Connecteam's limits). */
export const USAGE_LIMITS = { minute: 300, day: 10_000 } as const;

export interface Usage {
  minute: number;
  minuteCount: number;
  day: number;
  dayCount: number;
}

export interface Authenticated {
  keyId: string;
  scopes: string[];
  /** False when a limit was already reached: the request was not counted and must be refused. */
  counted: boolean;
  usage: Usage;
}

/**
 * FROM … WHERE … naming the key a credential proves (and, for a token, the token), with its
 * parameters; `live` adds the conditions under which it may act (key not revoked, token unexpired).
 */
function credentialSource(cred: Credential, now: number, live: boolean): [string, unknown[]] {
  const usage = live ? "" : " left join api_key_usage u on u.key_id = k.id";
  const liveKey = live ? " and k.revoked_at is null" : "";
  switch (cred.kind) {
    case "apiKey":
      return [`from api_keys k${usage} where k.key_hash = ?${liveKey}`, [cred.hash]];
    case "client":
      return [`from api_keys k${usage} where k.id = ? and k.key_hash = ?${liveKey}`, [cred.keyId, cred.hash]];
    case "token":
      return [
        `from oauth_tokens t join api_keys k on k.id = t.key_id${usage} where t.token_hash = ?${live ? " and t.expires_at > ?" : ""}${liveKey}`,
        live ? [cred.hash, now] : [cred.hash],
      ];
  }
}

interface KeyUsageRow {
  key_id: string;
  scopes: string;
  key_scopes: string;
  revoked_at: number | null;
  expires_at: number | null;
  minute: number | null;
  minute_count: number | null;
  day: number | null;
  day_count: number | null;
}

/**
 * Authenticates a credential and counts the request against its key's minute and day, in one D1
 * round trip (a batch: one conditional UPSERT, one SELECT). A request over either limit is not
 * counted and writes nothing. "unknown" when the credential matches nothing (a guess); "dead" when
 * it is genuine but can no longer act (its key revoked, the token expired) — dead stays dead.
 */
export async function authenticateAndCount(db: Db, cred: Credential, now: number): Promise<Authenticated | "unknown" | "dead"> {
  const minute = Math.floor(now / 60_000);
  const day = Math.floor(now / 86_400_000);
  const [live, liveParams] = credentialSource(cred, now, true);
  const [any, anyParams] = credentialSource(cred, now, false);
  // Raw statements: Drizzle's batch takes only its own builders, and this UPSERT … SELECT is not one.
  const d1 = (db as Db & { $client: D1Database }).$client;
  const [counted, found] = await d1.batch([
    d1
      .prepare(
        `insert into api_key_usage (key_id, minute, minute_count, day, day_count)
         select k.id, ?, 1, ?, 1 ${live}
         on conflict (key_id) do update set
           minute_count = case when minute = excluded.minute then minute_count + 1 else 1 end,
           minute = excluded.minute,
           day_count = case when day = excluded.day then day_count + 1 else 1 end,
           day = excluded.day
         where (minute != excluded.minute or minute_count < ?) and (day != excluded.day or day_count < ?)
         returning minute_count`,
      )
      .bind(minute, day, ...liveParams, USAGE_LIMITS.minute, USAGE_LIMITS.day),
    d1
      .prepare(
        `select k.id as key_id, ${cred.kind === "token" ? "t.scopes" : "k.scopes"} as scopes, k.scopes as key_scopes,
                k.revoked_at, ${cred.kind === "token" ? "t.expires_at" : "null"} as expires_at,
                u.minute, u.minute_count, u.day, u.day_count
         ${any}`,
      )
      .bind(...anyParams),
  ]);
  const row = (found!.results as KeyUsageRow[])[0];
  if (!row) return "unknown";
  if (row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now)) return "dead";
  const keyScopes = new Set(JSON.parse(row.key_scopes) as string[]);
  // A token never has more than its key has now.
  const scopes = (JSON.parse(row.scopes) as string[]).filter((s) => keyScopes.has(s));
  const usage: Usage = {
    minute,
    minuteCount: row.minute === minute ? row.minute_count! : 0,
    day,
    dayCount: row.day === day ? row.day_count! : 0,
  };
  return { keyId: row.key_id, scopes, counted: counted!.results.length > 0, usage };
}

/** A new access token for a key; the key's expired tokens go in the same batch, so few ever pile up. */
export async function insertOAuthToken(db: Db, row: typeof oauthTokens.$inferInsert) {
  await db.batch([
    db.delete(oauthTokens).where(and(eq(oauthTokens.keyId, row.keyId), lt(oauthTokens.expiresAt, row.createdAt))),
    db.insert(oauthTokens).values(row),
  ]);
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
  forgetName(publisherUserId(id));
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

/** Team chats and broadcast channels (never DMs), oldest first, offset paging; with where each came from. */
export async function listConversations(db: Db, limit: number, offset: number) {
  return db
    .select({ id: channels.id, name: channels.name, broadcast: channels.broadcast, source: integrationConversations.source })
    .from(channels)
    .leftJoin(integrationConversations, eq(integrationConversations.channelId, channels.id))
    .where(and(sql`${channels.type} != 'dm'`, eq(channels.archived, false), isNull(channels.deletedAt)))
    .orderBy(asc(channels.id))
    .limit(limit)
    .offset(offset);
}

/** Records that the integration API created this conversation (and its description blocks). */
export async function insertIntegrationConversation(db: Db, row: typeof integrationConversations.$inferInsert) {
  await db.insert(integrationConversations).values(row);
}

/** D1 binds at most 100 parameters a statement: lookups of longer id lists go in chunks. */
const LOOKUP_CHUNK = 100;

/** Which of `ids` are (human) users; any number of ids, in statements of at most 100 parameters. */
export async function findUserIds(db: Db, ids: string[]) {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += LOOKUP_CHUNK) chunks.push(ids.slice(i, i + LOOKUP_CHUNK));
  if (chunks.length === 0) return new Set<string>();
  const select = (chunk: string[]) => db.select({ id: users.id }).from(users).where(and(inArray(users.id, chunk), sql`${users.kind} = 'user'`));
  const [first, ...rest] = chunks.map(select);
  const results = rest.length ? await db.batch([first!, ...rest]) : [await first!];
  return new Set(results.flat().map((r) => r.id));
}
