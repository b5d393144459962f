import { depsOf } from "../../platform/context";
import type { AppRouteHandler } from "../../platform/openapi";
import type * as routes from "./reminders.routes";
import * as service from "./reminders.service";

export const createReminder: AppRouteHandler<typeof routes.createReminder> = async (c) => {
  const { channel_id, message_id, text, remind_at } = c.req.valid("json");
  const reminder = await service.createReminder(depsOf(c), c.get("user").id, { channelId: channel_id, messageId: message_id, text, remindAt: remind_at });
  return c.json({ reminder }, 201);
};

export const listReminders: AppRouteHandler<typeof routes.listReminders> = async (c) => c.json(await service.listReminders(depsOf(c), c.get("user").id), 200);

export const deleteReminder: AppRouteHandler<typeof routes.deleteReminder> = async (c) => {
  await service.deleteReminderOf(depsOf(c), c.get("user").id, c.req.valid("param").reminderID);
  return c.body(null, 204);
};
