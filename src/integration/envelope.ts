import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../platform/errors";

/** `/chat/v1`, `/attachments/v1`, `/publishers/v1`: the Connecteam-compatible surface. */
export const INTEGRATION_PATH = /^\/(chat|attachments|publishers)\/v1(\/|$)/;

/** Every integration route accepts an API key or a scoped OAuth 2.0 token. */
export const INTEGRATION_SECURITY: Record<string, string[]>[] = [{ apiKey: [] }, { oauth2: [] }];

/** The OpenAPI shape of `{"requestId","data","paging"?}` around `data`. */
export const envelope = <T extends z.ZodType>(data: T) =>
  z.object({ requestId: z.string(), data, paging: z.object({ offset: z.number().int() }).optional() });

/** OpenAPI responses of an integration route: the envelope on 200, Connecteam's errors otherwise. */
export const integrationResponses = (data: z.ZodType, description: string) => ({
  200: { description, content: { "application/json": { schema: envelope(data) } } },
  401: { description: "Missing, invalid or revoked credentials" },
  403: { description: "Scope missing, or not allowed" },
  404: { description: "Not found" },
  422: { description: "Validation error: {detail: [{loc, msg, type}]}" },
  429: { description: "Rate limited" },
});

/** Success: `{"requestId", "data"}`, lists with `"paging": {"offset": <next offset>}`. */
export function ok<T>(c: Context<AppEnv>, data: T, paging?: { offset: number }) {
  return c.json({ requestId: c.get("requestId"), data, ...(paging ? { paging } : {}) }, 200);
}

/** Errors that are the client's input: 422 with FastAPI-style `detail`, as Connecteam answers. */
const UNPROCESSABLE = new Set(["VALIDATION_FAILED", "CHAT_EMPTY_MESSAGE", "CHAT_MESSAGE_TOO_LONG"]);
const LOCATION: Record<string, string> = { json: "body", query: "query", param: "path", header: "header" };

interface Detail {
  in?: string;
  path?: string;
  code?: string;
  message?: string;
}

export function integrationError(c: Context<AppEnv>, status: number, code: string, message: string, details?: unknown, headers?: Record<string, string>) {
  if (UNPROCESSABLE.has(code)) {
    const list = Array.isArray(details) && details.length ? (details as Detail[]) : [{ message, code }];
    const detail = list.map((d) => ({
      loc: [LOCATION[d.in ?? "json"] ?? "body", ...(d.path ? d.path.split(".") : [])].map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
      msg: d.message ?? message,
      type: (d.code ?? code).toLowerCase(),
    }));
    return c.json({ detail }, 422, headers);
  }
  return c.json({ error: message, path: c.req.path, request_id: c.get("requestId") }, status as 400, headers);
}

export const scopeMissing = (scope: string) => new ApiError("AUTH_SCOPE_MISSING", `This credential lacks the ${scope} scope`);
