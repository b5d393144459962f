import { z } from "@hono/zod-openapi";
import { SCOPES } from "./scopes";

// ---- publishers ------------------------------------------------------------------------------

export const PublisherResponse = z
  .object({
    id: z.number().int().openapi({ example: 7, description: "The senderId of chat messages" }),
    name: z.string().openapi({ example: "Shift Bot" }),
    imageUrl: z.string().openapi({ description: "An https URL, or \"\" when the publisher has no image", example: "https://example.com/bot.png" }),
  })
  .openapi("PublisherResponse");

export const PublishersResponse = z.object({ publishers: z.array(PublisherResponse) }).openapi("PublishersResponse");

// ---- OAuth -----------------------------------------------------------------------------------

export const OAuthTokenRequest = z
  .object({
    grant_type: z.string().default("client_credentials").openapi({ description: "Must be client_credentials (the default)", example: "client_credentials" }),
    scope: z.string().nullable().optional().openapi({ description: "Space-separated scopes: a subset of the key's (default: all of them)", example: "chat.read chat.write" }),
  })
  .openapi("Body_oauth_token_docs_oauth_v1_token_post");

export const OAuthTokenResponse = z
  .object({
    access_token: z.string().openapi({ example: "ct_9Qm2vR7xK4pL8sT1wN6yB3cF5hJ0dG2a", description: "Send as Authorization: Bearer <access_token>" }),
    token_type: z.string().openapi({ description: "Always \"bearer\"", example: "bearer" }),
    expires_in: z.number().int().openapi({ example: 3600, description: "Seconds" }),
    scope: z.string().nullable().optional().openapi({ example: "chat.read chat.write" }),
  })
  .openapi("OAuthTokenResponse");

// ---- admin side (ours) -----------------------------------------------------------------------

/** The admin API's view of a publisher: `imageUrl` is null when there is none. */
export const Publisher = z
  .object({
    id: z.number().int().openapi({ example: 7, description: "The senderId of chat messages; its messages show sender_id \"pub_7\"" }),
    name: z.string().openapi({ example: "Shift Bot" }),
    imageUrl: z.string().nullable().openapi({ example: "https://example.com/bot.png" }),
  })
  .openapi("Publisher");

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
  .object({ name: z.string().trim().min(1).max(100).openapi({ example: "Shift Bot" }), imageUrl: HttpsUrl.nullable().optional() })
  .openapi("PublisherInput");

export const UpdatePublisherBody = PublisherBody.partial()
  .refine((b) => b.name !== undefined || b.imageUrl !== undefined, { message: "give name or imageUrl" })
  .openapi("PublisherUpdate");

export const CreateApiKeyBody = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ example: "Shift scheduler" }),
    scopes: z.array(z.enum(SCOPES)).min(1).openapi({ example: ["chat.read", "chat.write", "attachments.write"] }),
  })
  .openapi("CreateApiKey");

export const ApiKeyInfo = z
  .object({
    id: z.string().openapi({ example: "1234567890123456830", description: "Also the OAuth client_id" }),
    name: z.string().openapi({ example: "Shift scheduler" }),
    scopes: z.array(z.string()).openapi({ example: ["chat.read", "chat.write", "attachments.write"] }),
    created_at: z.number().int().openapi({ example: 1735732800 }),
    last_used_at: z.number().int().nullable().openapi({ example: 1735736400, description: "The minute of the last request (unix seconds); null if never used" }),
    revoked: z.boolean(),
  })
  .openapi("ApiKey");
