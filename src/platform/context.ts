import type { Context } from "hono";
import type { AppEnv, Deps } from "../env";

/** A handler's request, as the plain dependencies domain functions take. */
export const depsOf = (c: Context<AppEnv>): Deps => ({
  db: c.get("db"),
  history: c.get("history"),
  env: c.env,
  requestId: c.get("requestId"),
  waitUntil: (work) => c.executionCtx.waitUntil(work),
  remote: c.get("remote"),
});
