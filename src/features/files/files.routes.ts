import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses } from "../../platform/openapi";

/**
 * A signed URL's query: its expiry and signature, taken as text and checked by the handler, so any
 * tampering (a non-numeric `exp` too) is the same 403 FILE_SIGNATURE_INVALID.
 */
const SignedQuery = z.object({ exp: z.string().optional(), sig: z.string().optional() });

export const download = createRoute({
  method: "get",
  path: "/files/{assetID}/{size}",
  tags: ["Attachments"],
  summary: "Download through a signed URL from …/attachments/{id}/url (Range requests supported)",
  request: {
    params: z.object({
      assetID: z.string().openapi({ param: { name: "assetID", in: "path" } }),
      size: z.string().openapi({ param: { name: "size", in: "path" } }),
    }),
    query: SignedQuery,
  },
  responses: {
    200: { description: "The file" },
    206: { description: "Part of the file" },
    304: { description: "Not modified" },
    ...errorResponses(403, 404, 416),
  },
});

export const signedUpload = createRoute({
  method: "put",
  path: "/uploads/{assetID}",
  tags: ["Attachments"],
  summary: "The one-time signed upload URL from /v1/attachments/uploads: PUT exactly the announced bytes",
  request: {
    params: z.object({ assetID: z.string().openapi({ param: { name: "assetID", in: "path" } }) }),
    query: SignedQuery,
    body: { content: { "application/octet-stream": { schema: z.any().openapi({ type: "string", format: "binary" }) } } },
  },
  responses: { 200: { description: "Received" }, ...errorResponses(400, 403, 404, 409, 413) },
});
