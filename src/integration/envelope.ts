import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ZodError } from "zod";
import type { AppEnv } from "../env";
import { ApiError } from "../platform/errors";
import { HTTPValidationError, IntegrationError } from "./integration.schemas";
import { SCOPES, type Scope } from "./scopes";

/** `/chat/v1`, `/attachments/v1`, `/publishers/v1`, `/settings/v1`: the Connecteam-compatible surface. */
export const INTEGRATION_PATH = /^\/(chat|attachments|publishers|settings)\/v1(\/|$)/;

/** As in the reference: an API key, or an OAuth 2.0 token (from POST /oauth/v1/token) with the scope. */
export const security = (scope: Scope): Record<string, string[]>[] => [{ APIKeyHeader: [] }, { OAuth2: [scope] }];

/** The reference's security schemes, under its names (merged into /openapi.json with the router). */
export function registerSecuritySchemes(router: OpenAPIHono<AppEnv>) {
  router.openAPIRegistry.registerComponent("securitySchemes", "APIKeyHeader", {
    type: "apiKey",
    in: "header",
    name: "X-API-KEY",
    description: "An API key from POST /admin/v1/api-keys (shown once; scopes chosen at creation)",
  });
  router.openAPIRegistry.registerComponent("securitySchemes", "OAuth2", {
    type: "oauth2",
    description: "OAuth2 Bearer token from POST /oauth/v1/token (client credentials; 1 h; bound to its API key)",
    flows: {
      clientCredentials: {
        tokenUrl: "/oauth/v1/token",
        scopes: Object.fromEntries(SCOPES.map((s) => [s, s.replace(".", " - ")])),
      },
    },
  });
  router.openAPIRegistry.registerComponent("securitySchemes", "HTTPBasic", {
    type: "http",
    scheme: "basic",
    description: "Use client_id (the API key's id) as Username and client_secret (the API key) as Password",
  });
}

/** FastAPI's `loc` root for each validation target. */
const LOCATION: Record<string, string> = { json: "body", form: "body", query: "query", param: "path", header: "header" };

/** One FastAPI validation problem: `{"loc", "msg", "type"}`. */
export interface FastApiDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** A 422 whose `details` are FastAPI problems, ready to send. */
export const unprocessable = (detail: FastApiDetail[]) => new ApiError("VALIDATION_FAILED", detail[0]?.msg ?? "Invalid request", detail);

/** One problem at `loc` (e.g. `["body", "text"]`), typed as pydantic would type it. */
export const invalidAt = (loc: (string | number)[], msg: string, type = "value_error") => unprocessable([{ loc, msg, type }]);

const quote = (values: readonly unknown[]) => {
  const parts = values.map((v) => `'${String(v)}'`);
  return parts.length > 1 ? `${parts.slice(0, -1).join(", ")} or ${parts.at(-1)}` : (parts[0] ?? "");
};

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

type Issue = ZodError["issues"][number] & Record<string, unknown>;

/** A zod issue as FastAPI (pydantic v2) would report it: its `type` names and messages. */
function pydantic(issue: Issue, input: unknown): { path: PropertyKey[]; msg: string; type: string } {
  const path = issue.path;
  const value = valueAt(input, path);
  const params = (issue as { params?: { type?: string } }).params;
  if (issue.code === "custom") return { path, msg: issue.message, type: params?.type ?? "value_error" };
  if (issue.code === "invalid_union" && issue.discriminator) {
    const tagged = path.slice(0, -1);
    if (value === undefined) return { path: tagged, msg: `Unable to extract tag using discriminator '${String(issue.discriminator)}'`, type: "union_tag_not_found" };
    return {
      path: tagged,
      msg: `Input tag '${String(value)}' found using '${String(issue.discriminator)}' does not match any of the expected tags: ${(issue.options as unknown[]).map((o) => `'${String(o)}'`).join(", ")}`,
      type: "union_tag_invalid",
    };
  }
  if ((issue.code === "invalid_type" || issue.code === "invalid_value") && value === undefined) return { path, msg: "Field required", type: "missing" };
  switch (issue.code) {
    case "invalid_type": {
      const expected = String(issue.expected);
      if (expected === "number" || expected === "int") {
        if (typeof value === "string") return { path, msg: "Input should be a valid integer, unable to parse string as an integer", type: "int_parsing" };
        if (typeof value === "number") return { path, msg: "Input should be a valid integer, got a number with a fractional part", type: "int_from_float" };
        return { path, msg: "Input should be a valid integer", type: "int_type" };
      }
      if (expected === "string") return { path, msg: "Input should be a valid string", type: "string_type" };
      if (expected === "boolean") return { path, msg: "Input should be a valid boolean", type: "bool_type" };
      if (expected === "array") return { path, msg: "Input should be a valid list", type: "list_type" };
      if (expected === "object" || expected === "record") return { path, msg: "Input should be a valid dictionary or object to extract fields from", type: "model_attributes_type" };
      return { path, msg: issue.message, type: "type_error" };
    }
    case "invalid_value":
      return issue.values.length === 1
        ? { path, msg: `Input should be ${quote(issue.values)}`, type: "literal_error" }
        : { path, msg: `Input should be ${quote(issue.values)}`, type: "enum" };
    case "too_big":
      if (issue.origin === "string") return { path, msg: `String should have at most ${issue.maximum} characters`, type: "string_too_long" };
      if (issue.origin === "array") return { path, msg: `List should have at most ${issue.maximum} items after validation`, type: "too_long" };
      return { path, msg: `Input should be less than or equal to ${issue.maximum}`, type: "less_than_equal" };
    case "too_small":
      if (issue.origin === "string") return { path, msg: `String should have at least ${issue.minimum} character${issue.minimum === 1 ? "" : "s"}`, type: "string_too_short" };
      if (issue.origin === "array") return { path, msg: `List should have at least ${issue.minimum} item${issue.minimum === 1 ? "" : "s"} after validation`, type: "too_short" };
      return { path, msg: `Input should be greater than or equal to ${issue.minimum}`, type: "greater_than_equal" };
    default:
      return { path, msg: issue.message, type: "value_error" };
  }
}

/** What the validator saw, to tell a missing field from a wrong one. */
async function rawInput(c: Context<AppEnv>, target: string): Promise<unknown> {
  if (target === "json") return c.req.json().catch(() => undefined);
  if (target === "query") return c.req.query();
  if (target === "param") return c.req.param();
  if (target === "header") return c.req.header();
  return undefined;
}

/** A router whose request validation answers 422 `{"detail": [...]}` exactly as FastAPI does. */
export function integrationRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: async (result, c) => {
      if (result.success) return;
      const input = await rawInput(c, result.target);
      const root = LOCATION[result.target] ?? result.target;
      throw unprocessable(
        result.error.issues.map((issue) => {
          const { path, msg, type } = pydantic(issue as Issue, input);
          return { loc: [root, ...path.map((p) => (typeof p === "number" ? p : String(p)))], msg, type };
        }),
      );
    },
  });
}

/** OpenAPI responses of an integration route: the reference's 200 and 422, and our other errors. */
export const integrationResponses = (ok: z.ZodType, description: string, ...more: (401 | 403 | 404 | 413 | 429)[]) => ({
  200: { description, content: { "application/json": { schema: ok } } },
  422: { description: "Validation Error", content: { "application/json": { schema: HTTPValidationError } } },
  ...Object.fromEntries(
    [401, 403, ...more, 429].map((status) => [
      status,
      { description: ERROR_DESCRIPTIONS[status], content: { "application/json": { schema: IntegrationError } } },
    ]),
  ),
});

const ERROR_DESCRIPTIONS: Record<number, string> = {
  401: "Missing, invalid, expired or revoked credentials (with WWW-Authenticate)",
  403: "The credential lacks the scope, or the action is not allowed",
  404: "Not found",
  413: "Body too large",
  429: "Rate limited (per key: 300 a minute, 10,000 a day; or too many failed credentials from this address)",
};

/** Success: `{"requestId", "data"}`, lists with `"paging": {"offset": <next offset>}`. */
export function ok<T>(c: Context<AppEnv>, data: T, paging?: { offset: number }) {
  return c.json({ requestId: c.get("requestId"), data, ...(paging ? { paging } : {}) }, 200);
}

/** Errors that are the client's input: 422 with FastAPI-style `detail`, as Connecteam answers. */
const UNPROCESSABLE = new Set(["VALIDATION_FAILED", "CHAT_EMPTY_MESSAGE", "CHAT_MESSAGE_TOO_LONG", "UNSUPPORTED_MEDIA_TYPE", "CHAT_MESSAGE_BLOCKED"]);

/** Our `/v1` validation details (`{in, path, code, message}`), from shared code. */
interface Detail {
  in?: string;
  path?: string;
  code?: string;
  message?: string;
}

const isFastApi = (d: unknown): d is FastApiDetail => typeof d === "object" && d !== null && Array.isArray((d as FastApiDetail).loc);

function toDetail(code: string, message: string, details: unknown): FastApiDetail[] {
  if (Array.isArray(details) && details.length && details.every(isFastApi)) return details;
  // The blocklist's refusal (DESIGN §15) is about the text: Connecteam's field is `text`, ours `body`.
  if (code === "CHAT_MESSAGE_BLOCKED") return [{ loc: ["body", "text"], msg: "Value error, the message contains blocked content", type: "value_error" }];
  if (Array.isArray(details) && details.length) {
    return (details as Detail[]).map((d) => ({
      loc: [LOCATION[d.in ?? "json"] ?? "body", ...(d.path ? d.path.split(".") : [])].map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
      msg: d.message ?? message,
      type: d.code === "custom" || !d.code ? "value_error" : d.code,
    }));
  }
  // Thrown by shared code or by Hono before any field is known.
  if (code === "CHAT_MESSAGE_TOO_LONG") return [{ loc: ["body", "text"], msg: "String should have at most 1000 characters", type: "string_too_long" }];
  if (code === "CHAT_EMPTY_MESSAGE") return [{ loc: ["body", "text"], msg: "Value error, a message needs text or attachments", type: "value_error" }];
  if (code === "UNSUPPORTED_MEDIA_TYPE") return [{ loc: ["body"], msg: "Input should be a valid dictionary or object to extract fields from", type: "model_attributes_type" }];
  if (/malformed json/i.test(message)) return [{ loc: ["body"], msg: "JSON decode error", type: "json_invalid" }];
  return [{ loc: ["body"], msg: message, type: "value_error" }];
}

export function integrationError(c: Context<AppEnv>, status: number, code: string, message: string, details?: unknown, headers?: Record<string, string>) {
  if (UNPROCESSABLE.has(code)) return c.json({ detail: toDetail(code, message, details) }, 422, headers);
  return c.json({ error: message, path: c.req.path, request_id: c.get("requestId") }, status as 400, headers);
}
