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

  /** Worth retrying as-is (with the same Idempotency-Key): overload, restarts, rate limits. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** A random id for Idempotency-Keys and client message ids (crypto.randomUUID needs a secure context). */
export function randomId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
