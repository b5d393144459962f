import { type RouteConfig, type RouteHandler, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env";

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "CHAT_NOT_MEMBER" }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");

/** OpenAPI response entries for the errors every authenticated route can answer. */
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(
    [401, 429, ...statuses].map((s) => [
      s,
      { description: "Error", content: { "application/json": { schema: ErrorResponse } } },
    ]),
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
