import { createRouter } from "../../app";
import * as handlers from "./moderation.handlers";
import * as routes from "./moderation.routes";
import * as appBans from "./app-bans.handlers";
import * as appBanRoutes from "./app-bans.routes";
import * as blocklist from "./blocklist.handlers";
import * as blocklistRoutes from "./blocklist.routes";
import * as reports from "./reports.handlers";
import * as reportRoutes from "./reports.routes";

/** `/v1` moderation: bans, mutes and the audit log of a channel (its moderators). */
export const moderationRouter = createRouter()
  .openapi(routes.ban, handlers.ban)
  .openapi(routes.listBans, handlers.listBans)
  .openapi(routes.unban, handlers.unban)
  .openapi(routes.mute, handlers.mute)
  .openapi(routes.listMutes, handlers.listMutes)
  .openapi(routes.unmute, handlers.unmute)
  .openapi(routes.channelAudit, handlers.channelAudit)
  .openapi(reportRoutes.createReport, reports.createReport)
  .openapi(reportRoutes.channelReports, reports.channelReports)
  .openapi(reportRoutes.channelResolve, reports.channelResolve);

/** `/admin/v1` moderation (ADMIN_TOKEN): the app's audit log, blocklist, report queue and app-wide bans. */
export const adminModerationRouter = createRouter()
  .openapi(routes.adminAudit, handlers.adminAudit)
  .openapi(blocklistRoutes.getBlocklist, blocklist.getBlocklist)
  .openapi(blocklistRoutes.putBlocklist, blocklist.putBlocklist)
  .openapi(reportRoutes.adminReports, reports.adminReports)
  .openapi(reportRoutes.adminResolve, reports.adminResolve)
  .openapi(appBanRoutes.appBan, appBans.appBan)
  .openapi(appBanRoutes.appUnban, appBans.appUnban);
