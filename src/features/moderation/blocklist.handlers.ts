import type { AppRouteHandler } from "../../platform/openapi";
import { APP_MODERATOR } from "../channels/access";
import { getBlocklist as read, putBlocklist as replace } from "./blocklist";
import type * as routes from "./blocklist.routes";

export const getBlocklist: AppRouteHandler<typeof routes.getBlocklist> = async (c) => c.json(await read(c.get("db")), 200);

export const putBlocklist: AppRouteHandler<typeof routes.putBlocklist> = async (c) => c.json(await replace(c.get("db"), APP_MODERATOR, c.req.valid("json").rules), 200);
