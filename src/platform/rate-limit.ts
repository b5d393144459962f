import { createMiddleware } from "hono/factory";
import type { AppEnv, Env } from "../env";
import { ApiError } from "./errors";

/** The limiters' window (wrangler.toml `period`, 60 for each): a refused client may retry after it. */
const PERIOD_SECONDS = 60;

/** Spends one request of the user's budget (Workers Rate Limiting binding); 429 past it. */
export async function enforceUserRateLimit(env: Env, userId: string) {
  const { success } = await env.USER_RATE_LIMITER.limit({ key: `user:${userId}` });
  if (!success) throw refused();
}

/**
 * Spends one search of the user's search budget (60 a minute, wrangler.toml); 429 past it. Awaited,
 * not lagged like `rateLimitUser`: a search costs far more than the limiter's round trip.
 */
export async function enforceSearchRateLimit(env: Env, userId: string) {
  const { success } = await env.SEARCH_RATE_LIMITER.limit({ key: `user:${userId}` });
  if (!success) throw refused();
}

const refused = (message = "Too many requests") => new ApiError("RATE_LIMITED", message, undefined, { "Retry-After": String(PERIOD_SECONDS) });

/**
 * Spends one PUT of the uploader's budget (UPLOAD_RATE_LIMITER, 30 a minute per user or API key): a
 * signed upload URL carries no credentials, so it counts against whoever started the upload.
 */
export async function enforceUploadRateLimit(env: Env, ownerId: string) {
  const { success } = await env.UPLOAD_RATE_LIMITER.limit({ key: `owner:${ownerId}` });
  if (!success) throw refused("Too many uploads a minute: retry after Retry-After seconds");
}

/** The binding's last verdict per user, in this isolate (true: refused). */
const lastVerdict = new Map<string, boolean>();
/** Per user, this isolate's requests whose own verdict has not come back yet. */
const awaiting = new Map<string, number>();

/**
 * Per-user budget for every `/v1` request; runs after auth. Off the critical path: the binding's
 * verdict on the *previous* request of this user (in this isolate) gates this one, while this one's
 * own call runs alongside the handler — one request of lag, no wait for the limiter on the way in.
 * A user this isolate has not seen yet waits for the verdict, and so does a request while another of
 * the same user still waits for its own (a parallel burst: the lag stays one request, not the
 * burst). The answer goes out once this request's verdict is recorded, so the next request sees it.
 */
export const rateLimitUser = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.get("user").id;
  const known = lastVerdict.get(key);
  const ahead = awaiting.get(key) ?? 0;
  awaiting.set(key, ahead + 1);
  const verdict = c.env.USER_RATE_LIMITER.limit({ key: `user:${key}` })
    .then(({ success }) => {
      if (lastVerdict.size > 50_000) lastVerdict.clear();
      lastVerdict.set(key, !success);
      return success;
    })
    .finally(() => {
      const left = (awaiting.get(key) ?? 1) - 1;
      if (left > 0) awaiting.set(key, left);
      else awaiting.delete(key);
    });
  if (known === undefined || ahead > 0 ? !(await verdict) : known) {
    await verdict.catch(() => {});
    throw refused();
  }
  try {
    await next();
  } finally {
    await verdict.catch(() => {});
  }
});
