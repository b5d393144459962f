import { z } from "@hono/zod-openapi";

/** User ids are the token's `sub`: 1–128 characters that are safe in a URL path segment. */
export const USER_ID_PATTERN = /^[A-Za-z0-9_.@:|+-]{1,128}$/;

export const UserId = z
  .string()
  .regex(USER_ID_PATTERN, "user ids are 1-128 characters of A-Z a-z 0-9 _ . @ : | + -")
  .openapi({ example: "67890" });

export const Snowflake = z.string().openapi({ example: "1234567890123456789", description: "19-digit id" });
export const UnixSeconds = z.number().int().openapi({ example: 1703520000 });

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "CHAT_NOT_MEMBER" }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");

export const ChannelParams = z.object({
  channelID: Snowflake.openapi({ param: { name: "channelID", in: "path" } }),
});

export const MemberParams = ChannelParams.extend({
  userID: UserId.openapi({ param: { name: "userID", in: "path" } }),
});

/** Query-string booleans: only "true"/"1" are true; anything else is refused. */
export const QueryBool = z
  .enum(["true", "false", "1", "0"])
  .transform((v) => v === "true" || v === "1");

/** Counts code points, as users see characters, not UTF-16 units. */
export const codePoints = (s: string) => [...s].length;

/** A channel name: trimmed, 1–100 characters, no control characters. */
export const ChannelName = z
  .string()
  .trim()
  .refine((s) => codePoints(s) >= 1 && codePoints(s) <= 100, "name must be 1-100 characters")
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "name must not contain control characters")
  .openapi({ example: "Project Team" });

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
