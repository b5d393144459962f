/**
 * Scheduled messages in the channel's room (DESIGN §18): scheduling, editing and cancelling run
 * here, in the room's change order (keyed by the scheduled message's id, so an edit or a cancel is
 * ordered before or after its send, never across it). The room's storage is the scheduler's
 * (its alarm sends them: scheduled-run.ts); the directory keeps the authors' lists.
 */
import type { Deps } from "../../env";
import { ApiError } from "../../platform/errors";
import { emptyStats } from "../../platform/d1-metering";
import { claimForMessage } from "../../features/attachments/attachments.queries";
import { attachmentInUse, resolveAttachments } from "../../features/attachments/uploads";
import { checkMessageContent } from "../../features/messages/content";
import { readPosting } from "../../features/messages/messages.queries";
import { deleteScheduled, getScheduled, insertScheduled, releaseScheduledClaims, updateScheduled } from "../../features/scheduled/scheduled.queries";
import { scheduledJson } from "../../features/scheduled/scheduled.schemas";
import type { ScheduledMessageRow } from "../../db/directory";
import { type RoomContext, errorData, roomDeps } from "../send/room-send";
import { permitted, posterKey } from "../send/send-rules";
import type { RoomAnswer, ScheduledCall } from "../wire";
import type { ScheduledEntry, ScheduledStore } from "./scheduled-store";
import { ScheduledRun, type ScheduledPreviews, scheduledKey } from "./scheduled-run";

export const scheduledNotFound = (id: string) => new ApiError("CHAT_SCHEDULED_NOT_FOUND", `Scheduled message ${id} not found (sent, cancelled, or not yours)`);
export const scheduledNotPending = (code: string | null) =>
  new ApiError("CHAT_SCHEDULED_NOT_PENDING", `This scheduled message failed at its time (${code ?? "refused"}): it can only be deleted`);

type Answer = RoomAnswer<{ value: { scheduled_message: ReturnType<typeof scheduledJson> } | null }>;

export class RoomScheduler {
  /** The alarm's side: sends what is due. */
  readonly run: ScheduledRun;

  constructor(
    private readonly store: ScheduledStore,
    private readonly context: (channelId: string) => RoomContext,
    previews: ScheduledPreviews,
    arm: (at: number) => void,
  ) {
    this.run = new ScheduledRun(store, context, previews, arm);
  }

  /** One RPC call (create, edit, cancel): the value or the error, never a throw. */
  async handle(call: ScheduledCall): Promise<Answer> {
    const room = this.context(call.channelId);
    const stats = emptyStats();
    const deps = roomDeps(room, stats, call.requestId);
    try {
      const value = await room.order.alongsideOthers(async () => {
        if (call.op === "create") return this.create(deps, room, call);
        if (call.op === "edit") return this.edit(deps, call);
        await this.cancel(deps, call);
        return null;
      }, [scheduledKey(call.scheduledId)]);
      this.run.armNext();
      return { value, d1: stats, bookmarks: {} };
    } catch (err) {
      return { error: errorData(err, call.requestId, call.channelId), d1: stats, bookmarks: {} };
    }
  }

  /**
   * Checked as a send would be now (content, the right to post, the uploads), so a message that
   * could never be sent is refused at once; checked again at its time. The uploads are claimed
   * under the scheduled message's id. A retried call (same id) stores the same row again.
   */
  private async create(deps: Deps, room: RoomContext, call: Extract<ScheduledCall, { op: "create" }>) {
    const { input, scheduledId: id } = call;
    checkMessageContent(input.body, input.inlineEmotes ?? [], input.assetIds.length);
    const who = posterKey(input);
    const verdict = room.sends.verdict(who) ?? (await readPosting(deps.db, input.channelId, input.senderId, input.poster));
    permitted(input, verdict);
    room.sends.remember(who, verdict);
    const attachments = await resolveAttachmentsFor(deps, input.uploaderId, input.assetIds, id);
    if (attachments.length && !(await claimForMessage(deps.db, input.assetIds, input.uploaderId, id))) throw attachmentInUse();
    const now = Date.now();
    const row: ScheduledMessageRow = {
      id,
      channelId: input.channelId,
      authorId: input.senderId,
      body: input.body,
      inlineEmotes: input.inlineEmotes ?? [],
      attachments,
      mentionedUserIds: input.mentionedUserIds ?? [],
      parentId: input.parentId ?? null,
      unfurl: input.unfurl !== false,
      sendAt: call.sendAt,
      status: "pending",
      failureCode: null,
      createdAt: now,
      updatedAt: now,
    };
    const entry: ScheduledEntry = { id, authorId: input.senderId, sendAt: call.sendAt, dueAt: call.sendAt, input, messageId: null, attempts: 0, state: "pending", code: null, createdAt: now };
    this.store.put(entry);
    try {
      await insertScheduled(deps.db, row);
    } catch (err) {
      // Not in the author's list: not scheduled at all (the uploads are free again).
      this.store.remove(id);
      if (attachments.length) await releaseScheduledClaims(deps.db, id).catch(() => {});
      throw err;
    }
    return { scheduled_message: scheduledJson(row) };
  }

  /** The author changes a pending one: the directory first (if that fails, nothing changed), then the room. */
  private async edit(deps: Deps, call: Extract<ScheduledCall, { op: "edit" }>) {
    const entry = this.store.get(call.scheduledId);
    const row = await getScheduled(deps.db, call.scheduledId);
    if (!row || row.authorId !== call.userId || entry?.state === "sent") throw scheduledNotFound(call.scheduledId);
    if (row.status === "failed" || entry?.state === "failed") throw scheduledNotPending(entry?.code ?? row.failureCode);
    if (!entry) throw scheduledNotFound(call.scheduledId);
    const { edit } = call;
    const body = edit.body ?? entry.input.body;
    const inlineEmotes = edit.inlineEmotes ?? (edit.body !== undefined ? [] : (entry.input.inlineEmotes ?? []));
    checkMessageContent(body, inlineEmotes, entry.input.assetIds.length);
    const mentionedUserIds = edit.mentionedUserIds ?? entry.input.mentionedUserIds ?? [];
    const sendAt = edit.sendAt ?? entry.sendAt;
    const now = Date.now();
    const changed = { body, inlineEmotes, mentionedUserIds, sendAt, updatedAt: now };
    await updateScheduled(deps.db, entry.id, changed);
    this.store.put({ ...entry, sendAt, dueAt: sendAt, attempts: 0, input: { ...entry.input, body, inlineEmotes, mentionedUserIds } });
    return { scheduled_message: scheduledJson({ ...row, ...changed }) };
  }

  /** The author cancels it (pending, or failed a moment ago): gone from the list, its uploads free. */
  private async cancel(deps: Deps, call: Extract<ScheduledCall, { op: "cancel" }>) {
    const entry = this.store.get(call.scheduledId);
    if (!entry || entry.authorId !== call.userId || entry.state === "sent") throw scheduledNotFound(call.scheduledId);
    await deps.db.batch([deleteScheduled(deps.db, entry.id), releaseScheduledClaims(deps.db, entry.id)]);
    this.store.remove(entry.id);
  }
}

/** The uploads as a send resolves them; those this scheduled message claimed already (a retried call) count as its own. */
const resolveAttachmentsFor = (deps: Deps, ownerId: string, assetIds: string[], scheduledId: string) => resolveAttachments(deps.db, ownerId, assetIds, scheduledId);
