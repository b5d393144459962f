import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import type { AppEnv } from "../env";
import { ApiError, type ErrorCode, errorBody } from "./errors";
import { TRANSIENT_RETRY_AFTER_SECONDS, isTransientD1Failure } from "./d1-transient";

/** What an error response says, before a surface (the `/v1` envelope, Connecteam's) shapes it. */
export interface ErrorInfo {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  headers?: Record<string, string>;
}

export type ErrorFormatter = (c: Context<AppEnv>, error: ErrorInfo) => Response;

/** The `/v1` and `/admin/v1` shape: `{"error": {"code", "message", "details"?}}`. */
export const defaultFormatter: ErrorFormatter = (c, e) =>
  c.json(errorBody(e.code, e.message, e.details), e.status as 400, e.headers);

/** Statuses Hono's own middleware throws (body limit, JSON parsing, media type) → our codes. */
const HTTP_EXCEPTION_CODES: Record<number, ErrorCode> = {
  400: "VALIDATION_FAILED",
  401: "AUTH_REQUIRED",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
};

/** Zod issues as `details`: where (`in` = json/query/param/header), which field, what is wrong. */
export function validationError(error: ZodError, target: string) {
  const details = error.issues.map((issue) => ({
    in: target,
    path: issue.path.join("."),
    code: issue.code,
    message: issue.message,
  }));
  return new ApiError("VALIDATION_FAILED", "Request validation failed", details);
}

/** Each API surface's error shape, chosen by path prefix (set up once by createApp). */
export interface ErrorSurface {
  path: RegExp;
  format: ErrorFormatter;
}

/** Builds the app's onError and notFound for the given surfaces; `/v1`'s shape is the default. */
export function errorHandlers(surfaces: ErrorSurface[]) {
  const formatterFor = (c: Context<AppEnv>) => surfaces.find((s) => s.path.test(c.req.path))?.format ?? defaultFormatter;

  /** Turns anything thrown into the error envelope; only genuine faults become 500s (and are logged). */
  const onError: ErrorHandler<AppEnv> = (err, c) => {
    const format = formatterFor(c);
    if (err instanceof ApiError) {
      return format(c, { status: err.status, code: err.code, message: err.message, details: err.details, headers: err.headers });
    }
    if (err instanceof HTTPException && HTTP_EXCEPTION_CODES[err.status]) {
      // The router's media-type gate says only "Unsupported Media Type": say what to send instead.
      const message = err.status === 415 ? `Unsupported Media Type: send the body as JSON with Content-Type: application/json (got ${c.req.header("content-type") ?? "none"})` : err.message;
      return format(c, { status: err.status, code: HTTP_EXCEPTION_CODES[err.status]!, message });
    }
    const requestId = c.get("requestId");
    // The database failed for a reason of its own (restart, overload, lost connection): not a bug,
    // and a retry may succeed — 503 with Retry-After, never a 500. Reads were already retried once.
    if (isTransientD1Failure(err)) {
      if (c.env.LOG_LEVEL !== "silent") console.warn(JSON.stringify({ level: "warn", request_id: requestId, path: c.req.path, transient_d1: String(err) }));
      return format(c, {
        status: 503,
        code: "CHAT_UNAVAILABLE",
        message: "The database is briefly unavailable; retry after Retry-After seconds",
        details: { request_id: requestId },
        headers: { "Retry-After": String(TRANSIENT_RETRY_AFTER_SECONDS) },
      });
    }
    console.error(
      JSON.stringify({ level: "error", request_id: requestId, path: c.req.path, error: String(err), stack: (err as Error)?.stack }),
    );
    return format(c, { status: 500, code: "INTERNAL", message: "Internal error", details: { request_id: requestId } });
  };

  const notFound: NotFoundHandler<AppEnv> = (c) =>
    formatterFor(c)(c, { status: 404, code: "NOT_FOUND", message: `No route for ${c.req.method} ${c.req.path}` });

  return { onError, notFound };
}
