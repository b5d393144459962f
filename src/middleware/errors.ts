import type { ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import type { AppEnv } from "../env";
import { INTEGRATION_PATH, integrationError } from "../integration/envelope";
import { ApiError, type ErrorCode, errorBody } from "../lib/errors";

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

/** Turns anything thrown into the error envelope; only genuine faults become 500s (and are logged). */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const integration = INTEGRATION_PATH.test(c.req.path);
  if (err instanceof ApiError) {
    if (integration) return integrationError(c, err.status, err.code, err.message, err.details, err.headers);
    return c.json(errorBody(err.code, err.message, err.details), err.status, err.headers);
  }
  if (err instanceof HTTPException && HTTP_EXCEPTION_CODES[err.status]) {
    if (integration) return integrationError(c, err.status, HTTP_EXCEPTION_CODES[err.status]!, err.message);
    return c.json(errorBody(HTTP_EXCEPTION_CODES[err.status]!, err.message), err.status);
  }
  const requestId = c.get("requestId");
  console.error(
    JSON.stringify({ level: "error", request_id: requestId, path: c.req.path, error: String(err), stack: (err as Error)?.stack }),
  );
  if (integration) return integrationError(c, 500, "INTERNAL", "Internal error");
  return c.json(errorBody("INTERNAL", "Internal error", { request_id: requestId }), 500);
};

export const notFound: NotFoundHandler<AppEnv> = (c) => {
  const message = `No route for ${c.req.method} ${c.req.path}`;
  if (INTEGRATION_PATH.test(c.req.path)) return integrationError(c, 404, "NOT_FOUND", message);
  return c.json(errorBody("NOT_FOUND", message), 404);
};
