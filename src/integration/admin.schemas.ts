import { z } from "@hono/zod-openapi";
import { SCOPES } from "./scopes";

// ---- publishers ------------------------------------------------------------------------------

export const PublisherResponse = z
  .object({
    id: z.number().int(),
    name: z.string(),
    imageUrl: z.string().openapi({ description: "An https URL, or \"\" when the publisher has no image" }),
  })
  .openapi("PublisherResponse");

export const PublishersResponse = z.object({ publishers: z.array(PublisherResponse) }).openapi("PublishersResponse");

// ---- OAuth -----------------------------------------------------------------------------------

export const OAuthTokenRequest = z
  .object({
    grant_type: z.string().default("client_credentials").openapi({ description: "Must be client_credentials (the default)" }),
    scope: z.string().nullable().optional().openapi({ description: "Space-separated scopes: a subset of the key's (default: all of them)" }),
  })
  .openapi("Body_oauth_token_docs_oauth_v1_token_post");

export const OAuthTokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.string().openapi({ description: "Always \"bearer\"" }),
    expires_in: z.number().int(),
    scope: z.string().nullable().optional(),
  })
  .openapi("OAuthTokenResponse");

// ---- admin side (ours) -----------------------------------------------------------------------

/** The admin API's view of a publisher: `imageUrl` is null when there is none. */
export const Publisher = z.object({ id: z.number().int(), name: z.string(), imageUrl: z.string().nullable() }).openapi("Publisher");

/** An absolute https URL: publisher images are shown by chat clients, so nothing else (no javascript:, data:, http:). */
export const HttpsUrl = z
  .string()
  .max(2048)
  .refine(
    (s) => {
      try {
        const url = new URL(s);
        return url.protocol === "https:" && url.hostname !== "" && !url.username && !url.password;
      } catch {
        return false;
      }
    },
    { message: "imageUrl must be an https URL" },
  )
  .openapi({ format: "uri", example: "https://example.com/bot.png" });

export const PublisherBody = z
  .object({ name: z.string().trim().min(1).max(100), imageUrl: HttpsUrl.nullable().optional() })
  .openapi("PublisherInput");

export const UpdatePublisherBody = PublisherBody.partial()
  .refine((b) => b.name !== undefined || b.imageUrl !== undefined, { message: "give name or imageUrl" })
  .openapi("PublisherUpdate");

export const CreateApiKeyBody = z
  .object({ name: z.string().trim().min(1).max(100), scopes: z.array(z.enum(SCOPES)).min(1) })
  .openapi("CreateApiKey");

export const ApiKeyInfo = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.string()),
    created_at: z.number().int(),
    last_used_at: z.number().int().nullable(),
    revoked: z.boolean(),
  })
  .openapi("ApiKey");
