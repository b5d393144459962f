import { createRouter } from "../../app";
import * as handlers from "./reminders.handlers";
import * as routes from "./reminders.routes";

export const remindersRouter = createRouter()
  .openapi(routes.createReminder, handlers.createReminder)
  .openapi(routes.listReminders, handlers.listReminders)
  .openapi(routes.deleteReminder, handlers.deleteReminder);
