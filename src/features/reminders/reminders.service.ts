/**
 * Reminders (DESIGN §18): the directory lists them, the user's hub keeps a copy and fires it on its
 * alarm (`reminder` on the user socket: src/realtime/reminders.ts). The directory row is written
 * first, so a reminder the hub holds is always listed; a fired one leaves the list.
 */
import type { Deps } from "../../env";
import { ApiError } from "../../platform/errors";
import { ensureIdNode } from "../../platform/id-registry";
import { newId } from "../../platform/ids";
import * as history from "../../history";
import { loadChannel, requireMember } from "../channels/access";
import { countReminders, deleteReminder, getReminder, insertReminder, listReminders as listRows } from "./reminders.queries";
import { MAX_REMINDERS_PER_USER, REMIND_MAX_AHEAD_MS, REMIND_MIN_AHEAD_MS, type ReminderJson, reminderJson } from "./reminders.schemas";

const notFound = (id: string) => new ApiError("CHAT_REMINDER_NOT_FOUND", `Reminder ${id} not found`);
const hubOf = (deps: Deps, userId: string) => deps.env.USER_HUB.getByName(userId);

export async function createReminder(deps: Deps, me: string, input: { channelId: string; messageId?: string; text?: string; remindAt: number }): Promise<ReminderJson> {
  const now = Date.now();
  if (!(input.remindAt >= now + REMIND_MIN_AHEAD_MS && input.remindAt <= now + REMIND_MAX_AHEAD_MS)) {
    throw new ApiError("VALIDATION_FAILED", "remind_at must be 10 seconds to 365 days from now", [{ in: "json", path: "remind_at", code: "out_of_range", message: "10 seconds to 365 days from now" }]);
  }
  const access = await loadChannel(deps.db, input.channelId, me);
  requireMember(access);
  if (input.messageId) {
    const message = await history.getMessage(deps.history(access.channel.shard), access.channel.id, input.messageId);
    if (!message || message.deletedAt !== null) throw new ApiError("CHAT_MESSAGE_NOT_FOUND", "Message not found");
  }
  if ((await countReminders(deps.db, me)) >= MAX_REMINDERS_PER_USER) {
    throw new ApiError("CHAT_TOO_MANY_REMINDERS", `You have ${MAX_REMINDERS_PER_USER} reminders waiting (the limit): delete one first`);
  }
  await ensureIdNode(deps.env);
  const row = { id: newId(now), userId: me, channelId: access.channel.id, messageId: input.messageId ?? null, text: input.text ?? null, remindAt: input.remindAt, createdAt: now };
  await insertReminder(deps.db, row);
  const reminder = reminderJson(row);
  try {
    await hubOf(deps, me).remind(me, reminder, row.remindAt);
  } catch (err) {
    await deleteReminder(deps.db, row.id).catch(() => {});
    throw err;
  }
  return reminder;
}

export async function listReminders(deps: Deps, me: string) {
  return { reminders: (await listRows(deps.db, me)).map(reminderJson) };
}

/** The hub first (it will not fire it after this), then the list. */
export async function deleteReminderOf(deps: Deps, me: string, id: string) {
  const row = await getReminder(deps.db, id);
  if (!row || row.userId !== me) throw notFound(id);
  await hubOf(deps, me).forgetReminder(id);
  await deleteReminder(deps.db, id);
}
