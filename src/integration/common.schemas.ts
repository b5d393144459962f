import { z } from "@hono/zod-openapi";

/*
 * The integration API's schemas mirror Connecteam's OpenAPI document
 * (test/fixtures/connecteam-chat-openapi.json): same component names, properties, types, enums and
 * required lists, so /openapi.json shows the reference's schemas. Where we add a field it is an
 * optional extension; test/integration-conformance.test.ts fails on any drift.
 */

/**
 * An integer as FastAPI/pydantic (lax mode) accepts it: a JSON integer or a string of digits.
 * Connecteam's ids are integers; ours are strings, so a user id here is the decimal string.
 */
export const LaxInt = (min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .preprocess((v) => (typeof v === "string" && /^\s*[+-]?\d+\s*$/.test(v) ? Number(v.trim()) : v), z.number().int().min(min).max(max))
    .openapi({ type: "integer" });

/** Connecteam user ids are integers; here they name the user whose id is that decimal string. */
export const IntegrationUserId = LaxInt().transform(String);

// ---- envelopes -------------------------------------------------------------------------------

export const PagingResponseModel = z
  .object({
    offset: z.number().int().min(0).openapi({ description: "Offset of the next page (offset + items returned)", example: 10 }),
    total: z.number().int().min(0).optional().openapi({ example: 27 }),
  })
  .openapi("PagingResponseModel");

/** `{"requestId", "data"}` (APIResponse[...] in the reference). */
export const apiResponse = <T extends z.ZodType>(name: string, data: T) =>
  z.object({ requestId: z.string().optional().openapi({ description: "Always sent", example: "c2f3b3d2-4a7e-4d1a-9c59-0f6b1d2e8a41" }), data }).openapi(name);

/** `{"requestId", "data", "paging"}` (PaginatedBaseResponse[...] in the reference). */
export const paginatedResponse = <T extends z.ZodType>(name: string, data: T) =>
  z.object({ requestId: z.string().optional().openapi({ description: "Always sent", example: "c2f3b3d2-4a7e-4d1a-9c59-0f6b1d2e8a41" }), data, paging: PagingResponseModel }).openapi(name);

export const ValidationError = z
  .object({
    loc: z.array(z.union([z.string(), z.number().int()])).openapi({ example: ["body", "text"], description: "Where: body, query or path, then the field" }),
    msg: z.string().openapi({ example: "String should have at most 1000 characters" }),
    type: z.string().openapi({ example: "string_too_long", description: "pydantic's error type" }),
  })
  .openapi("ValidationError");

export const HTTPValidationError = z.object({ detail: z.array(ValidationError).optional() }).openapi("HTTPValidationError");

/** Every other error: `{"error": "<message>", "path", "request_id"}` (ValidationErrorResponse allows it). */
export const IntegrationError = z
  .object({
    error: z.string().openapi({ example: "Conversation not found" }),
    path: z.string().openapi({ example: "/chat/v1/conversations/1234567890123456789/message" }),
    request_id: z.string().openapi({ example: "c2f3b3d2-4a7e-4d1a-9c59-0f6b1d2e8a41" }),
  })
  .openapi("IntegrationError");
