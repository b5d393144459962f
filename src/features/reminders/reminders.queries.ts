/** The directory's copy of reminders: what their owners list (the user's hub fires them: src/realtime/reminders.ts). */
import { asc, count, eq } from "drizzle-orm";
import { type ReminderRow, reminders } from "../../db/directory";
import type { Db } from "../../env";

export const insertReminder = (db: Db, row: ReminderRow) => db.insert(reminders).values(row);
export const deleteReminder = (db: Db, id: string) => db.delete(reminders).where(eq(reminders.id, id));
export const listReminders = (db: Db, userId: string) => db.select().from(reminders).where(eq(reminders.userId, userId)).orderBy(asc(reminders.remindAt), asc(reminders.id));

export async function getReminder(db: Db, id: string) {
  return (await db.select().from(reminders).where(eq(reminders.id, id)).limit(1))[0];
}

export async function countReminders(db: Db, userId: string) {
  return (await db.select({ n: count() }).from(reminders).where(eq(reminders.userId, userId)))[0]?.n ?? 0;
}
