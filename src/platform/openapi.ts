import { type RouteConfig, type RouteHandler, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { ERROR_EXAMPLES } from "./error-examples";
import { ERROR_STATUS, type ErrorCode, errorBody } from "./errors";

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "CHAT_NOT_MEMBER" }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");

/** Codes only one route can answer: listed where that route names them (`withErrorCodes`), not on every route. */
const ROUTE_SPECIFIC = new Set<ErrorCode>(["PUSH_NOT_CONFIGURED"]);

/** The codes a status carries (the catalogue in errors.ts), as named OpenAPI examples. */
function examplesFor(status: number, extra: ErrorCode[] = []) {
  const codes = (Object.keys(ERROR_STATUS) as ErrorCode[]).filter((code) => ERROR_STATUS[code] === status && code !== "INTERNAL" && (!ROUTE_SPECIFIC.has(code) || extra.includes(code)));
  return { codes, examples: Object.fromEntries(codes.map((code) => [code, { summary: code, value: errorBody(code, ERROR_EXAMPLES[code]) }])) };
}

/**
 * OpenAPI response entries for the errors every authenticated route can answer, with each status's
 * codes: 503 too, since any route that reaches D1 can meet a transient failure (src/platform/d1-transient.ts).
 */
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(
    [...new Set([401, 429, 503, ...statuses])].map((s) => {
      const { codes, examples } = examplesFor(s);
      return [s, { description: `Error: ${codes.join(", ")}`, content: { "application/json": { schema: ErrorResponse, examples } } }];
    }),
  );

/** `errorResponses` plus route-specific codes (each under its own status). */
export function withErrorCodes(codes: ErrorCode[], ...statuses: number[]) {
  const responses = errorResponses(...statuses, ...codes.map((c) => ERROR_STATUS[c]));
  for (const status of new Set(codes.map((c) => ERROR_STATUS[c]))) {
    const { codes: all, examples } = examplesFor(status, codes);
    responses[status] = { description: `Error: ${all.join(", ")}`, content: { "application/json": { schema: ErrorResponse, examples } } };
  }
  return responses;
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

/** A handler typed by its route definition (request validation and response shapes). */
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>;

/** `security` of routes that take a user token. */
export const userSecurity = [{ bearerAuth: [] }];
