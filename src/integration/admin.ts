import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../app";
import * as q from "./integration.queries";
import { hashApiKey, randomSecret } from "./auth";
import { publisherJson } from "./publishers";
import { ApiError } from "../platform/errors";
import { newId } from "../platform/ids";
import { seconds } from "../platform/schemas";
import { errorResponses, json, jsonBody } from "../platform/openapi";
import { ApiKeyInfo, CreateApiKeyBody, Publisher, PublisherBody, UpdatePublisherBody } from "./integration.schemas";

/** Operator endpoints for the integration API (mounted behind requireAdmin). */
export const adminIntegrationRouter = createRouter();
const security = [{ adminToken: [] }];
const IdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "7" }) });
const publisherNotFound = (id: string) => new ApiError("CHAT_USER_NOT_FOUND", `Publisher ${id} not found`);
const publisherId = (id: string) => (/^\d{1,9}$/.test(id) ? Number(id) : -1);

adminIntegrationRouter.openapi(
  createRoute({
    method: "post",
    path: "/admin/v1/api-keys",
    tags: ["Admin"],
    security,
    summary: "Create an API key (the key is shown only in this response). OAuth 2.0: client_id = id, client_secret = key",
    description:
      "Operators only (`Bearer <ADMIN_TOKEN>`). Creates a key for the integration API with the given scopes; the `key` (`ck_…`) is returned only here and stored as its SHA-256, so keep it. " +
      "Send it as `X-API-KEY`, or exchange it at `POST /oauth/v1/token` (client_id = `id`, client_secret = `key`). " +
      "Each key may make 300 requests a minute and 10,000 a day.",
    request: { body: jsonBody(CreateApiKeyBody) },
    responses: { 201: json(ApiKeyInfo.extend({ key: z.string().openapi({ example: "ck_Z3p8Kq1vT6wR9mN2bX5cJ7hL0dF4sA8e" }) }), "Created"), ...errorResponses(400) },
  }),
  async (c) => {
    const { name, scopes } = c.req.valid("json");
    const key = randomSecret("ck_");
    const row = await q.insertApiKey(c.get("db"), { id: newId(), name, scopes: [...new Set(scopes)], keyHash: await hashApiKey(key), createdAt: Date.now() });
    return c.json({ ...keyJson(row, null), key }, 201);
  },
);

/**
 * `last_used_at`: the start of the minute of the key's last counted request (its usage row,
 * written with every request anyway), or the older per-key column for keys used before it existed.
 */
const keyJson = (row: Awaited<ReturnType<typeof q.insertApiKey>>, lastMinute: number | null) => {
  const lastUsed = Math.max(lastMinute === null ? 0 : lastMinute * 60_000, row.lastUsedAt ?? 0);
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    created_at: seconds(row.createdAt),
    last_used_at: lastUsed ? seconds(lastUsed) : null,
    revoked: row.revokedAt !== null,
  };
};

adminIntegrationRouter.openapi(
  createRoute({
    method: "get",
    path: "/admin/v1/api-keys",
    tags: ["Admin"],
    security,
    summary: "List API keys (never the keys themselves)",
    description:
      "Operators only. Every key with its name, scopes, creation time, `last_used_at` (the minute of its last request) and whether it is revoked. " +
      "The secret keys are never shown again.",
    responses: { 200: json(z.object({ api_keys: z.array(ApiKeyInfo) }), "Keys") },
  }),
  async (c) => c.json({ api_keys: (await q.listApiKeys(c.get("db"))).map((r) => keyJson(r.key, r.lastMinute)) }, 200),
);

adminIntegrationRouter.openapi(
  createRoute({
    method: "delete",
    path: "/admin/v1/api-keys/{id}",
    tags: ["Admin"],
    security,
    summary: "Revoke an API key, and with it its OAuth tokens (refused from the next request on)",
    description:
      "Operators only. The key and every access token issued for it are refused from the next request on (401). " +
      "An unknown or already revoked id is 404 `NOT_FOUND`. Its files and messages stay.",
    request: { params: IdParam },
    responses: { 204: { description: "Revoked" }, ...errorResponses(404) },
  }),
  async (c) => {
    if (!(await q.revokeApiKey(c.get("db"), c.req.valid("param").id, Date.now()))) {
      throw new ApiError("NOT_FOUND", "No live API key with that id");
    }
    return c.body(null, 204);
  },
);

adminIntegrationRouter.openapi(
  createRoute({
    method: "post",
    path: "/admin/v1/publishers",
    tags: ["Admin"],
    security,
    summary: "Create a custom publisher (a bot sender for the integration API)",
    description:
      "Operators only. A publisher is the sender of integration messages: its `id` is the `senderId` of `POST /chat/v1/…/message`, and `/v1` shows its messages with `sender_id: \"pub_<id>\"` and `sender_type: \"publisher\"`. " +
      "`name` is 1–100 characters; `imageUrl` must be an absolute https URL (javascript:, data: and http: are 400) or null.",
    request: { body: jsonBody(PublisherBody) },
    responses: { 201: json(Publisher, "Created"), ...errorResponses(400) },
  }),
  async (c) => {
    const { name, imageUrl } = c.req.valid("json");
    return c.json(publisherJson(await q.createPublisher(c.get("db"), name, imageUrl ?? null)), 201);
  },
);

adminIntegrationRouter.openapi(
  createRoute({
    method: "get",
    path: "/admin/v1/publishers",
    tags: ["Admin"],
    security,
    summary: "List custom publishers",
    description: "Operators only. Every live publisher, oldest first; `imageUrl` is null when there is none (the integration API's own list shows \"\").",
    responses: { 200: json(z.object({ publishers: z.array(Publisher) }), "Publishers") },
  }),
  async (c) => c.json({ publishers: (await q.listPublishers(c.get("db"))).map(publisherJson) }, 200),
);

adminIntegrationRouter.openapi(
  createRoute({
    method: "patch",
    path: "/admin/v1/publishers/{id}",
    tags: ["Admin"],
    security,
    summary: "Rename a publisher or change its image",
    description:
      "Operators only. Changes the fields given (at least one of `name`, `imageUrl`; `imageUrl: null` clears the image). " +
      "Messages already sent show the new name, since `sender_name` is always the sender's current name. An unknown id is 404.",
    request: { params: IdParam, body: jsonBody(UpdatePublisherBody) },
    responses: { 200: json(Publisher, "Updated"), ...errorResponses(400, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const updated = await q.updatePublisher(c.get("db"), publisherId(id), c.req.valid("json"));
    if (!updated) throw publisherNotFound(id);
    return c.json(publisherJson(updated), 200);
  },
);

adminIntegrationRouter.openapi(
  createRoute({
    method: "delete",
    path: "/admin/v1/publishers/{id}",
    tags: ["Admin"],
    security,
    summary: "Retire a publisher: it can no longer send; its messages stay",
    description: "Operators only. Sending as a retired publisher is 404 from then on; its messages stay in their conversations. An unknown id is 404.",
    request: { params: IdParam },
    responses: { 204: { description: "Retired" }, ...errorResponses(404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    if (!(await q.deletePublisher(c.get("db"), publisherId(id)))) throw publisherNotFound(id);
    return c.body(null, 204);
  },
);
