import { depsOf } from "../../platform/context";
import type { AppRouteHandler } from "../../platform/openapi";
import { inRoom } from "../../room/changes";
import { APP_MODERATOR } from "../channels/access";
import { listReports, resolveReport } from "./reports-resolve";
import type * as routes from "./reports.routes";

export const createReport: AppRouteHandler<typeof routes.createReport> = async (c) => {
  const { channelID, messageID } = c.req.valid("param");
  const { reason, note } = c.req.valid("json");
  const { report, created } = await inRoom(depsOf(c), channelID, "reportMessage", c.get("user").id, channelID, messageID, reason, note ?? null);
  return created ? c.json(report, 201) : c.json(report, 200);
};

export const channelReports: AppRouteHandler<typeof routes.channelReports> = async (c) => {
  const { channelID } = c.req.valid("param");
  return c.json(await listReports(depsOf(c), { ...c.req.valid("query"), channelId: channelID, me: c.get("user").id }), 200);
};

export const channelResolve: AppRouteHandler<typeof routes.channelResolve> = async (c) => {
  const { channelID, reportID } = c.req.valid("param");
  const { action, duration_s, note } = c.req.valid("json");
  return c.json(await resolveReport(depsOf(c), c.get("user").id, reportID, { action, durationS: duration_s, note }, channelID), 200);
};

export const adminReports: AppRouteHandler<typeof routes.adminReports> = async (c) => c.json(await listReports(depsOf(c), c.req.valid("query")), 200);

export const adminResolve: AppRouteHandler<typeof routes.adminResolve> = async (c) => {
  const { action, duration_s, note } = c.req.valid("json");
  return c.json(await resolveReport(depsOf(c), APP_MODERATOR, c.req.valid("param").reportID, { action, durationS: duration_s, note }), 200);
};
