import type { Context } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/errors";

/** `/chat/v1`, `/attachments/v1`, `/publishers/v1`: the Connecteam-compatible surface. */
export const INTEGRATION_PATH = /^\/(chat|attachments|publishers)\/v1(\/|$)/;

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
