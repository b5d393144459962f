import { depsOf } from "../../platform/context";
import { inRoom } from "../../room/changes";
import type { AppRouteHandler } from "../../platform/openapi";
import type * as routes from "./reads.routes";
import * as service from "./reads.service";

export const markRead: AppRouteHandler<typeof routes.markRead> = async (c) => {
  const { channelID } = c.req.valid("param");
  return c.json(await inRoom(depsOf(c), channelID, "markRead", c.get("user").id, channelID, c.req.valid("json").last_read_message_id), 200);
};

export const listReads: AppRouteHandler<typeof routes.listReads> = async (c) => {
  const { limit, after } = c.req.valid("query");
  const cursor = after ? { joinedAt: Number(after.slice(0, after.indexOf("."))), userId: after.slice(after.indexOf(".") + 1) } : undefined;
  const { reads, next } = await service.listReads(depsOf(c), c.get("user").id, c.req.valid("param").channelID, limit, cursor);
  if (next) {
    // Paged as the member list is, with the same cursor: a Link header names the next page.
    const url = new URL(c.req.url);
    url.searchParams.set("limit", String(limit));
    url.searchParams.set("after", `${next.joinedAt}.${next.userId}`);
    c.header("Link", `<${url.pathname}${url.search}>; rel="next"`);
  }
  return c.json({ reads }, 200);
};
