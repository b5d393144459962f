import { retryAfterMs } from "./retry";

/** An API error answer (`{"error":{"code","message","details"?}}`), or a failure to reach the API. */
export class ChatApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly requestId?: string | null,
    /** The answer's Retry-After in ms (429, 503): how long the server asks to wait before repeating. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ChatApiError";
  }

  static async from(res: Pick<Response, "status" | "statusText" | "headers" | "json">): Promise<ChatApiError> {
    let code = `HTTP_${res.status}`;
    let message = res.statusText || code;
    let details: unknown;
    try {
      const body = (await res.json()) as { error?: { code?: string; message?: string; details?: unknown } };
      code = body.error?.code ?? code;
      message = body.error?.message ?? message;
      details = body.error?.details;
    } catch {
      // not JSON (a proxy's page): keep the status
    }
    return new ChatApiError(res.status, code, message, details, res.headers.get("X-Request-Id"), retryAfterMs(res.headers));
  }

  /**
   * A socket `error` frame as the same error REST would have thrown: the frame carries no status, so
   * it is the one the API always sends with that code (a mute is 403 and slow mode 429 over either
   * path), and the wait of a 429 comes as `details.retry_after` (seconds) instead of Retry-After.
   */
  static fromFrame(data: { code?: string; message?: string; details?: unknown }): ChatApiError {
    const code = data.code ?? "ERROR";
    const retryAfter = (data.details as { retry_after?: unknown } | undefined)?.retry_after;
    const waitMs = typeof retryAfter === "number" ? retryAfter * 1000 : undefined;
    return new ChatApiError(SEND_ERROR_STATUS[code] ?? 400, code, data.message ?? "send refused", data.details, null, waitMs);
  }

  /**
   * Worth retrying as-is (with the same Idempotency-Key): overload, restarts, rate limits. Not slow
   * mode (429 `CHAT_SLOW_MODE`): that wait is a moderator's rule for people, up to hours, so a send
   * does not sit on it; the caller shows it and `retryAfterMs` says how long.
   */
  get retryable(): boolean {
    if (this.code === "CHAT_SLOW_MODE") return false;
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/**
 * The status of each refusal a socket send can get other than 400 (the server's ERROR_STATUS in
 * src/platform/errors.ts; the SDK does not import the server's code, so this lists the send's).
 */
const SEND_ERROR_STATUS: Record<string, number> = {
  AUTH_USER_BANNED: 403,
  CHAT_NOT_MEMBER: 403,
  CHAT_DM_BLOCKED_USER: 403,
  CHAT_BROADCAST_ONLY: 403,
  CHAT_CHANNEL_ARCHIVED: 403,
  CHAT_BANNED: 403,
  CHAT_MUTED: 403,
  CHAT_MESSAGE_NOT_FOUND: 404,
  CHAT_ATTACHMENT_NOT_FOUND: 404,
  CHAT_ATTACHMENT_IN_USE: 409,
  CHAT_MESSAGE_BLOCKED: 422,
  RATE_LIMITED: 429,
  CHAT_SLOW_MODE: 429,
  INTERNAL: 500,
  CHAT_UNAVAILABLE: 503,
};

/** A random id for Idempotency-Keys and client message ids (crypto.randomUUID needs a secure context). */
export function randomId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
