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
    offset: z.number().int().min(0).openapi({ description: "Offset of the next page (offset + items returned)" }),
    total: z.number().int().min(0).optional(),
  })
  .openapi("PagingResponseModel");

/** `{"requestId", "data"}` (APIResponse[...] in the reference). */
export const apiResponse = <T extends z.ZodType>(name: string, data: T) =>
  z.object({ requestId: z.string().optional().openapi({ description: "Always sent" }), data }).openapi(name);

/** `{"requestId", "data", "paging"}` (PaginatedBaseResponse[...] in the reference). */
export const paginatedResponse = <T extends z.ZodType>(name: string, data: T) =>
  z.object({ requestId: z.string().optional().openapi({ description: "Always sent" }), data, paging: PagingResponseModel }).openapi(name);

export const ValidationError = z
  .object({ loc: z.array(z.union([z.string(), z.number().int()])), msg: z.string(), type: z.string() })
  .openapi("ValidationError");

export const HTTPValidationError = z.object({ detail: z.array(ValidationError).optional() }).openapi("HTTPValidationError");

/** Every other error: `{"error": "<message>", "path", "request_id"}` (ValidationErrorResponse allows it). */
export const IntegrationError = z
  .object({
    error: z.string(),
    path: z.string(),
    request_id: z.string(),
  })
  .openapi("IntegrationError");
