/**
 * Link previews, the room's part (DESIGN §18). After a top-level message's flush (`afterFlush`), a
 * reply's D1 insert, or an edit, the room looks at the message as D1 holds it (a receiver or a
 * reader finds what the event says): its links, fetched in the background (src/previews, nothing of
 * it on the send's path), then written and announced as a `message_update` in the message's turn
 * (ChangeOrder), unless an edit or a delete came in between. A message without links costs nothing.
 *
 * The sender's opt-out (`"unfurl": false`) is noted here at the send, in the room's storage, until
 * the message reaches D1; it is then written to the message (`linkPreviews.off`), so a later edit
 * fetches nothing either.
 */
import * as history from "../history";
import type { LinkPreviewState, MessageRow } from "../history";
import { emptyStats } from "../platform/d1-metering";
import { announcePreviews } from "../features/previews/announce";
import { linksOf, sameLinks } from "../previews/links";
import { previewsFor } from "../previews/unfurl";
import type { ChangeOrder } from "./change-order";
import { messageKey } from "./changes";
import { type RoomContext, roomDeps } from "./send/room-send";

export class RoomPreviews {
  constructor(
    private readonly sql: () => SqlStorage,
    private readonly context: (channelId: string) => RoomContext,
    private readonly order: ChangeOrder,
  ) {}

  static createTables(sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS preview_opt_outs (message_id TEXT PRIMARY KEY, at INTEGER NOT NULL)");
  }

  /** The sender sent `"unfurl": false`: remembered until the message is in D1. */
  optOut(messageId: string) {
    this.sql().exec("INSERT OR IGNORE INTO preview_opt_outs (message_id, at) VALUES (?, ?)", messageId, Date.now());
  }

  /**
   * Starts (in the background) the previews of a message now in D1. `body` when known: a message
   * without a link and without an opt-out needs no read at all.
   */
  start(channelId: string, messageId: string, shard?: string, body?: string) {
    if (body !== undefined && !linksOf(body).length && !this.optedOut(messageId)) return;
    const room = this.context(channelId);
    room.waitUntil(
      this.refresh(room, channelId, messageId, shard).catch((err) =>
        console.error(JSON.stringify({ level: "warn", previews: "refresh", channel_id: channelId, message_id: messageId, error: String(err) })),
      ),
    );
  }

  private optedOut(messageId: string) {
    return this.sql().exec("SELECT 1 FROM preview_opt_outs WHERE message_id = ?", messageId).toArray().length > 0;
  }

  private async refresh(room: RoomContext, channelId: string, messageId: string, knownShard?: string) {
    const deps = roomDeps(room, emptyStats(), crypto.randomUUID());
    // An edit of a message the room has not flushed yet: D1 has it after one flush.
    await deps.writeAhead?.messageFlushed(messageId);
    const shard = knownShard ?? (await deps.env.DB.prepare("SELECT shard FROM channels WHERE id = ?").bind(channelId).first<{ shard: string }>())?.shard;
    if (!shard) return;
    const db = deps.history(shard);
    const row = await history.getMessage(db, channelId, messageId);
    if (!row || row.deletedAt !== null) return this.forget(messageId);
    const state = row.linkPreviews;
    if (this.optedOut(messageId)) {
      if (!state?.off) await history.setLinkPreviews(db, channelId, messageId, { links: [], previews: [], off: true });
      return this.forget(messageId);
    }
    const links = wanted(row, state);
    if (!links) return;
    const previews = await previewsFor(deps.env, deps.db, links);
    // Written in the message's turn, after any change of it already under way.
    await this.order.alongsideOthers(async () => {
      const now = await history.getMessage(db, channelId, messageId);
      // Deleted, or edited to other links meanwhile (that edit fetches its own): nothing to write.
      if (!now || now.deletedAt !== null || now.linkPreviews?.off || !sameLinks(wanted(now, now.linkPreviews, true) ?? [], links)) return;
      const next: LinkPreviewState = { links, previews, ...(now.linkPreviews?.removed ? { removed: now.linkPreviews.removed } : {}) };
      if (!(await history.setLinkPreviews(db, channelId, messageId, next))) return;
      if (JSON.stringify(previews) !== JSON.stringify(now.linkPreviews?.previews ?? [])) {
        await announcePreviews(deps, channelId, db, { ...now, linkPreviews: next });
      }
    }, [messageKey(messageId)]);
  }

  /** The opt-out of a send that was refused (or whose message is gone). */
  forget(messageId: string) {
    this.sql().exec("DELETE FROM preview_opt_outs WHERE message_id = ?", messageId);
  }
}

/**
 * The links to fetch for `row`, or undefined when there is nothing to do: opted out, or the same
 * links as last time (`always`: the links whatever was done before). A moderator's removed links stay out.
 */
function wanted(row: MessageRow, state: LinkPreviewState | null | undefined, always = false): string[] | undefined {
  if (state?.off) return undefined;
  const links = linksOf(row.body).filter((l) => !state?.removed?.includes(l));
  if (always) return links;
  if (state ? sameLinks(state.links, links) : !links.length) return undefined;
  return links;
}
