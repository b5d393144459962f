/** Direct messages: one channel per pair of users, found by the pair's key. */
import { eq } from "drizzle-orm";
import { type ChannelRow, channelMembers, channels, users } from "../../db/directory";
import type { Db, Env } from "../../env";
import { countChannelOn, pickShard } from "./placement";
import { isUniqueViolation } from "../../platform/db-errors";
import { newId } from "../../platform/ids";

/** The other member of a DM, from its pair key (no query). */
export function dmPartnerId(channel: ChannelRow, userId: string): string | undefined {
  const [a, b] = (channel.dmKey ?? "").split(" ");
  return (a === userId ? b : a) || undefined;
}

/** The DM partner of `userId` in a DM channel, with their current name. */
export async function findDmPartner(db: Db, channel: ChannelRow, userId: string) {
  const otherId = dmPartnerId(channel, userId);
  if (!otherId) return undefined;
  return db.query.users.findFirst({ where: eq(users.id, otherId), columns: { id: true, displayName: true } });
}

/** Ids of a DM pair in a fixed order, so one pair maps to one unique key. */
export const dmKey = (a: string, b: string) => (a < b ? `${a} ${b}` : `${b} ${a}`);

export async function findDmByKey(db: Db, key: string) {
  return db.query.channels.findFirst({ where: eq(channels.dmKey, key) });
}

/** The pair's DM, created on first use. A concurrent creation of the same pair yields its DM. */
export async function findOrCreateDm(db: Db, env: Env, a: string, b: string): Promise<{ channel: ChannelRow; created: boolean }> {
  const existing = await findDmByKey(db, dmKey(a, b));
  if (existing) return { channel: existing, created: false };
  try {
    return { channel: await createDm(db, a, b, await pickShard(db, env)), created: true };
  } catch (err) {
    const raced = isUniqueViolation(err) ? await findDmByKey(db, dmKey(a, b)) : undefined;
    if (!raced) throw err;
    return { channel: raced, created: false };
  }
}

/** Creates a DM and both memberships atomically. Throws a UNIQUE error if the pair raced us. */
export async function createDm(db: Db, userId: string, otherId: string, shard: string) {
  const now = Date.now();
  const channel: ChannelRow = {
    id: newId(now),
    type: "dm",
    name: "",
    ownerId: null,
    broadcast: false,
    archived: false,
    dmKey: dmKey(userId, otherId),
    memberCount: 2,
    createdAt: now,
    lastActivityAt: now,
    lastPosition: 0,
    lastMessageAt: null,
    appliedStamp: 0,
    deletedAt: null,
    shard,
    retentionDays: null,
    slowModeS: 0,
  };
  await db.batch([
    db.insert(channels).values(channel),
    db.insert(channelMembers).values([
      { channelId: channel.id, userId, role: "member", joinedAt: now },
      { channelId: channel.id, userId: otherId, role: "member", joinedAt: now },
    ]),
    countChannelOn(db, shard),
  ]);
  return channel;
}

