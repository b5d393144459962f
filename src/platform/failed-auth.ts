import type { Context } from "hono";
import type { AppEnv, Env } from "../env";
import { ApiError } from "./errors";

/** The caller's address as Cloudflare reports it; one shared bucket when absent (local runs). */
export const clientIp = (c: Context<AppEnv>) => c.req.header("CF-Connecting-IP") ?? "unknown";

/** How long an address that spent its failures is refused: the limiters' `period` in wrangler.toml. */
const BLOCK_MS = 60_000;
/** Bounds the isolate's memory under a flood of addresses (forgetting blocks only lets some retry early). */
const MAX_BLOCKED = 10_000;

const tooManyFailures = (retryAfter: number) =>
  new ApiError("RATE_LIMITED", "Too many failed authentication attempts from this address; try again later", undefined, {
    "Retry-After": String(retryAfter),
  });

export interface FailedAuthGuard {
  /** Throws 429 while the address is blocked: before the credential is even looked at. */
  refuseBlocked(c: Context<AppEnv>): void;
  /**
   * Counts a failed credential against the address. Past the binding's limit the address is
   * blocked for a minute (even the right credential is refused then); returns the error to throw.
   */
  failed(c: Context<AppEnv>, error: ApiError): Promise<ApiError>;
}

/**
 * Failed credentials per client address, counted on a Workers Rate Limiting binding (one per kind
 * of credential, so guessing one kind never locks out the other). The binding only answers "over or
 * not" per call, so once it says over, this isolate remembers the address and refuses it for the
 * window without asking again: guessing costs bounded work, and a correct guess in the window is
 * worthless because it is refused too.
 */
export function failedAuthGuard(limiter: (env: Env) => RateLimit): FailedAuthGuard {
  /** Addresses this isolate refuses until the time given (ms). */
  const blocked = new Map<string, number>();
  return {
    refuseBlocked(c) {
      const ip = clientIp(c);
      const until = blocked.get(ip);
      if (until === undefined) return;
      if (until > Date.now()) throw tooManyFailures(Math.ceil((until - Date.now()) / 1000));
      blocked.delete(ip);
    },
    async failed(c, error) {
      const ip = clientIp(c);
      const { success } = await limiter(c.env).limit({ key: ip });
      if (success) return error;
      if (blocked.size >= MAX_BLOCKED) blocked.clear();
      blocked.set(ip, Date.now() + BLOCK_MS);
      return tooManyFailures(BLOCK_MS / 1000);
    },
  };
}
