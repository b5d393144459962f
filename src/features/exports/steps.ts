/**
 * What an export reads, as a list of steps each read in pages keyed by the last row (never OFFSET),
 * so a run can stop after any page and the next run resumes from `{step, after}`. Every page is at
 * most PAGE rows: 100 message ids are the most bound parameters one D1 query takes (the reactions,
 * held originals and sender names of a page are each one query over those ids).
 */
import { and, asc, eq, gt, gte, inArray, lt, or } from "drizzle-orm";
import { channelMembers, channels, users } from "../../db/directory";
import { heldOriginals, messages, reactionCounts, reactions } from "../../db/history";
import type { Db, HistoryDb } from "../../env";
import { type MessageRow, groupReactions, reactionsQuery } from "../../history";
import { seconds } from "../../platform/schemas";
import { originalKey } from "../attachments/storage";
import { messageJson } from "../messages/messages.schemas";
import { withSenders } from "../messages/senders";

export const PAGE = 100;

export type Step =
  | { kind: "channel"; channelId: string }
  | { kind: "messages"; channelId: string; shard: string }
  | { kind: "memberships" }
  | { kind: "sent"; shard: string }
  | { kind: "reacted"; shard: string };

/** What the steps of one export share: the databases and the export's bounds. */
export interface StepContext {
  db: Db;
  history: (shard: string) => HistoryDb;
  /** A user export's subject, or the sender a channel export is narrowed to. */
  userId: string | null;
  fromId: string;
  toId: string;
}

export interface Page {
  lines: object[];
  messages: number;
  /** The key to resume after; null when the step is finished. */
  next: string | null;
}

export function readPage(ctx: StepContext, step: Step, after: string | null): Promise<Page> {
  switch (step.kind) {
    case "channel":
      return channelPage(ctx, step.channelId, after);
    case "memberships":
      return membershipsPage(ctx, after);
    case "messages":
      return messagesPage(ctx, step.shard, after, eq(messages.channelId, step.channelId), ctx.userId ? eq(messages.senderId, ctx.userId) : undefined);
    case "sent":
      return messagesPage(ctx, step.shard, after, eq(messages.senderId, ctx.userId!));
    case "reacted":
      return reactedPage(ctx, step.shard, after);
  }
}

function channelLine(c: typeof channels.$inferSelect) {
  return { type: "channel", id: c.id, channel_type: c.type, name: c.name, owner_id: c.ownerId, broadcast: c.broadcast, archived: c.archived, created_at: seconds(c.createdAt), member_count: c.memberCount, retention_days: c.retentionDays };
}

const memberColumns = { channelId: channelMembers.channelId, userId: channelMembers.userId, role: channelMembers.role, joinedAt: channelMembers.joinedAt, name: users.displayName };
const memberLine = (m: { channelId: string; userId: string; role: string; joinedAt: number; name: string }) => ({ type: "member", channel_id: m.channelId, user_id: m.userId, display_name: m.name, role: m.role, joined_at: seconds(m.joinedAt) });

/** A channel's record (on the first page), then its members by user id. */
async function channelPage(ctx: StepContext, channelId: string, after: string | null): Promise<Page> {
  const lines: object[] = [];
  if (after === null) {
    const [channel] = await ctx.db.select().from(channels).where(eq(channels.id, channelId));
    if (!channel) return { lines, messages: 0, next: null };
    lines.push(channelLine(channel));
  }
  const rows = await ctx.db
    .select(memberColumns)
    .from(channelMembers)
    .innerJoin(users, eq(users.id, channelMembers.userId))
    .where(and(eq(channelMembers.channelId, channelId), after === null ? undefined : gt(channelMembers.userId, after)))
    .orderBy(asc(channelMembers.userId))
    .limit(PAGE);
  lines.push(...rows.map(memberLine));
  return { lines, messages: 0, next: rows.length < PAGE ? null : rows.at(-1)!.userId };
}

/** A user export's channels: each channel's record and the user's own membership. */
async function membershipsPage(ctx: StepContext, after: string | null): Promise<Page> {
  const rows = await ctx.db
    .select({ channel: channels, member: memberColumns })
    .from(channelMembers)
    .innerJoin(channels, eq(channels.id, channelMembers.channelId))
    .innerJoin(users, eq(users.id, channelMembers.userId))
    .where(and(eq(channelMembers.userId, ctx.userId!), after === null ? undefined : gt(channelMembers.channelId, after)))
    .orderBy(asc(channelMembers.channelId))
    .limit(PAGE);
  return { lines: rows.flatMap((r) => [channelLine(r.channel), memberLine(r.member)]), messages: 0, next: rows.length < PAGE ? null : rows.at(-1)!.channel.id };
}

/**
 * Messages in id order within the export's bounds, each as the REST API shows it plus its held
 * originals; then every reaction of the page (the API's summary shows at most 100 users per emote)
 * and the attachment manifest (current and held versions' files).
 */
async function messagesPage(ctx: StepContext, shard: string, after: string | null, ...where: (ReturnType<typeof eq> | undefined)[]): Promise<Page> {
  const history = ctx.history(shard);
  const rows: MessageRow[] = await history
    .select()
    .from(messages)
    .where(and(...where, gte(messages.id, ctx.fromId), lt(messages.id, ctx.toId), after === null ? undefined : gt(messages.id, after)))
    .orderBy(asc(messages.id))
    .limit(PAGE);
  if (rows.length === 0) return { lines: [], messages: 0, next: null };
  const ids = rows.map((r) => r.id);
  const [summaries, all, originals] = await history.batch([
    reactionsQuery(history, inArray(reactionCounts.messageId, ids)),
    history.select().from(reactions).where(inArray(reactions.messageId, ids)).orderBy(asc(reactions.messageId), asc(reactions.createdAt), asc(reactions.userId)),
    history.select().from(heldOriginals).where(inArray(heldOriginals.messageId, ids)).orderBy(asc(heldOriginals.messageId), asc(heldOriginals.replacedAt)),
  ]);
  const byMessage = groupReactions(summaries);
  const kept = new Map<string, typeof originals>();
  for (const o of originals) kept.set(o.messageId, [...(kept.get(o.messageId) ?? []), o]);
  const lines: object[] = [];
  for (const m of await withSenders(ctx.db, rows)) {
    const held = (kept.get(m.id) ?? []).map((o) => ({ reason: o.reason, body: o.body, attachments: o.attachments, inline_emotes: o.inlineEmotes, version_at: seconds(o.versionAt), replaced_at: seconds(o.replacedAt) }));
    lines.push({ type: "message", ...messageJson(m, m.deletedAt === null ? (byMessage.get(m.id) ?? []) : []), held_originals: held });
    const files = [...(m.deletedAt === null ? m.attachments : []), ...held.flatMap((h) => h.attachments)];
    for (const f of files) lines.push({ type: "attachment", message_id: m.id, channel_id: m.channelId, asset_id: f.asset_id, filename: f.filename, content_type: f.content_type, size_bytes: f.size_bytes, r2_key: originalKey(f.asset_id) });
  }
  const channelOf = new Map(rows.map((r) => [r.id, r.channelId]));
  for (const r of all) lines.push(reactionLine(r, channelOf.get(r.messageId)!));
  return { lines, messages: rows.length, next: rows.length < PAGE ? null : rows.at(-1)!.id };
}

const reactionLine = (r: typeof reactions.$inferSelect, channelId: string) => ({ type: "reaction", message_id: r.messageId, channel_id: channelId, emote_asset_id: r.emoteAssetId, user_id: r.userId, created_at: seconds(r.createdAt) });

/** A user export's reactions on one shard, keyed by (message id, emote). */
async function reactedPage(ctx: StepContext, shard: string, after: string | null): Promise<Page> {
  const history = ctx.history(shard);
  const [afterMessage, afterEmote] = after === null ? [null, null] : (JSON.parse(after) as [string, string]);
  const rows = await history
    .select({ reaction: reactions, channelId: messages.channelId })
    .from(reactions)
    .innerJoin(messages, eq(messages.id, reactions.messageId))
    .where(
      and(
        eq(reactions.userId, ctx.userId!),
        gte(reactions.messageId, ctx.fromId),
        lt(reactions.messageId, ctx.toId),
        afterMessage === null ? undefined : or(gt(reactions.messageId, afterMessage), and(eq(reactions.messageId, afterMessage), gt(reactions.emoteAssetId, afterEmote!))),
      ),
    )
    .orderBy(asc(reactions.messageId), asc(reactions.emoteAssetId))
    .limit(PAGE);
  const last = rows.at(-1)?.reaction;
  return { lines: rows.map((r) => reactionLine(r.reaction, r.channelId)), messages: 0, next: rows.length < PAGE ? null : JSON.stringify([last!.messageId, last!.emoteAssetId]) };
}
