import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/errors";

/** The limiter's window (wrangler.toml `period`): a refused client may retry after it. */
const PERIOD_SECONDS = 60;

/** Spends one request of the signed-in user's budget (Workers Rate Limiting binding); 429 past it. */
export async function enforceUserRateLimit(c: Context<AppEnv>) {
  const { success } = await c.env.USER_RATE_LIMITER.limit({ key: `user:${c.get("user").id}` });
  if (!success) {
    throw new ApiError("RATE_LIMITED", "Too many requests", undefined, { "Retry-After": String(PERIOD_SECONDS) });
  }
}

/** Per-user budget for every `/v1` request; runs after auth. */
export const rateLimitUser = createMiddleware<AppEnv>(async (c, next) => {
  await enforceUserRateLimit(c);
  await next();
});
