import { createMiddleware } from "hono/factory";
import type { AppEnv, Env } from "../env";
import { ApiError } from "./errors";

/** The limiter's window (wrangler.toml `period`): a refused client may retry after it. */
const PERIOD_SECONDS = 60;

/** Spends one request of the user's budget (Workers Rate Limiting binding); 429 past it. */
export async function enforceUserRateLimit(env: Env, userId: string) {
  const { success } = await env.USER_RATE_LIMITER.limit({ key: `user:${userId}` });
  if (!success) {
    throw new ApiError("RATE_LIMITED", "Too many requests", undefined, { "Retry-After": String(PERIOD_SECONDS) });
  }
}

/** Per-user budget for every `/v1` request; runs after auth. */
export const rateLimitUser = createMiddleware<AppEnv>(async (c, next) => {
  await enforceUserRateLimit(c.env, c.get("user").id);
  await next();
});
