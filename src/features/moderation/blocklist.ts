/**
 * The app's blocklist (DESIGN §15): stored as one directory row, applied where sends and edits are
 * decided (the channel's room). Every isolate keeps the compiled matcher and its `version`; past
 * RECHECK_MS it asks D1 for the version only (the rules come back only when it changed), so a steady
 * send costs no blocklist read. A PUT refreshes its own isolate at once; other isolates within RECHECK_MS.
 */
import { eq, sql } from "drizzle-orm";
import { blocklist } from "../../db/moderation";
import type { Db } from "../../env";
import { ApiError } from "../../platform/errors";
import { appendAudit } from "./audit";
import { type BlockRule, BlocklistMatcher } from "./blocklist-matcher";

export const MAX_BLOCKLIST_RULES = 1000;
export const RECHECK_MS = 10_000;

interface Cached {
  version: number;
  rules: BlockRule[];
  matcher: BlocklistMatcher;
  checkedAt: number;
}
let cached: Cached | undefined;
let loading: Promise<Cached> | undefined;

async function load(db: Db, now: number): Promise<Cached> {
  const known = cached?.version ?? -1;
  // One row, one round trip: the version always, the rules only when they changed.
  const row = await db
    .select({ version: blocklist.version, rules: sql<string | null>`iif(${blocklist.version} = ${known}, null, ${blocklist.rules})` })
    .from(blocklist)
    .where(eq(blocklist.id, 1))
    .get();
  const version = row?.version ?? 0;
  if (cached && version === cached.version) return (cached = { ...cached, checkedAt: now });
  const rules = row?.rules ? (JSON.parse(row.rules) as BlockRule[]) : [];
  return (cached = { version, rules, matcher: new BlocklistMatcher(rules), checkedAt: now });
}

/** The rules in force, as this isolate knows them (read again at most every RECHECK_MS). */
export async function currentBlocklist(db: Db, now = Date.now()): Promise<Cached> {
  if (cached && now - cached.checkedAt < RECHECK_MS && now >= cached.checkedAt) return cached;
  // Concurrent sends after the window share one read.
  loading ??= load(db, now).finally(() => (loading = undefined));
  return loading;
}

export const blocked = () =>
  new ApiError("CHAT_MESSAGE_BLOCKED", "The message contains blocked content", [{ in: "json", path: "body", code: "custom", message: "contains a blocked word or link" }]);

/**
 * A body as it may be stored: `block` throws 422 CHAT_MESSAGE_BLOCKED (nothing is stored), `mask`
 * stars the matched characters (code point lengths kept, so inline emote ranges stay valid), `flag`
 * keeps it and says so (the caller files the system's report once the message exists).
 */
export async function screenBody(db: Db, body: string): Promise<{ body: string; flagged: boolean }> {
  if (!body) return { body, flagged: false };
  const { matcher } = await currentBlocklist(db);
  const verdict = matcher.check(body);
  if (verdict.action === "block") throw blocked();
  return { body: verdict.masked, flagged: verdict.matches.some((m) => m.action === "flag") };
}

/** GET: the rules as stored, with their version and last change. */
export async function getBlocklist(db: Db) {
  const row = await db.select().from(blocklist).where(eq(blocklist.id, 1)).get();
  return { rules: (row?.rules as BlockRule[] | undefined) ?? [], version: row?.version ?? 0, updated_at: row ? Math.floor(row.updatedAt / 1000) : null };
}

/** PUT: replaces every rule (one row and its audit entry in one batch); this isolate uses them at once. */
export async function putBlocklist(db: Db, actor: string, rules: BlockRule[]) {
  const now = Date.now();
  const before = await db.select({ version: blocklist.version, rules: blocklist.rules }).from(blocklist).where(eq(blocklist.id, 1)).get();
  const version = (before?.version ?? 0) + 1;
  const count = (before?.rules as BlockRule[] | undefined)?.length ?? 0;
  await db.batch([
    db
      .insert(blocklist)
      .values({ id: 1, version, rules, updatedAt: now, updatedBy: actor })
      .onConflictDoUpdate({ target: blocklist.id, set: { version: sql`${blocklist.version} + 1`, rules, updatedAt: now, updatedBy: actor } }),
    appendAudit(db, { actor, action: "blocklist_update", details: { rules_before: count, rules_after: rules.length } }, now),
  ]);
  forgetBlocklist();
  return getBlocklist(db);
}

/** This isolate reads the rules again on the next send (a PUT here, or tests). */
export const forgetBlocklist = () => {
  cached = undefined;
};
