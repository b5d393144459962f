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

/** The codes a status carries (the catalogue in errors.ts), as named OpenAPI examples. */
function examplesFor(status: number) {
  const codes = (Object.keys(ERROR_STATUS) as ErrorCode[]).filter((code) => ERROR_STATUS[code] === status && code !== "INTERNAL");
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
