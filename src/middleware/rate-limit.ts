import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/errors";

/** The limiter's window (wrangler.toml `period`): a refused client may retry after it. */
const PERIOD_SECONDS = 60;

/** Per-user budget from the Workers Rate Limiting binding; runs after auth. */
export const rateLimitUser = createMiddleware<AppEnv>(async (c, next) => {
  const { success } = await c.env.USER_RATE_LIMITER.limit({ key: `user:${c.get("user").id}` });
  if (!success) {
    throw new ApiError("RATE_LIMITED", "Too many requests", undefined, { "Retry-After": String(PERIOD_SECONDS) });
  }
  await next();
});
