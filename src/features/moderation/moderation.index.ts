import { createRouter } from "../../app";
import * as handlers from "./moderation.handlers";
import * as routes from "./moderation.routes";

/** `/v1` moderation: bans, mutes and the audit log of a channel (its moderators). */
export const moderationRouter = createRouter()
  .openapi(routes.ban, handlers.ban)
  .openapi(routes.listBans, handlers.listBans)
  .openapi(routes.unban, handlers.unban)
  .openapi(routes.mute, handlers.mute)
  .openapi(routes.listMutes, handlers.listMutes)
  .openapi(routes.unmute, handlers.unmute)
  .openapi(routes.channelAudit, handlers.channelAudit);

/** `/admin/v1` moderation (ADMIN_TOKEN): the app's audit log. */
export const adminModerationRouter = createRouter().openapi(routes.adminAudit, handlers.adminAudit);
