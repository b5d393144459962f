import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { insertOAuthToken } from "./integration.queries";
import type { AppEnv } from "../env";
import { ApiError } from "../platform/errors";
import { isId } from "../platform/ids";
import { HTTPValidationError, OAuthTokenRequest, OAuthTokenResponse } from "./integration.schemas";
import { API_KEY_FORMAT, authenticateCredential, randomSecret, sha256Hex } from "./auth";

/** Access tokens live an hour (the reference gives no lifetime; `expires_in` says it). */
export const ACCESS_TOKEN_TTL_SECONDS = 3600;

/**
 * POST /oauth/v1/token: OAuth 2.0 client credentials (RFC 6749 section 4.4). The client
 * authenticates with HTTP Basic — client_id = the API key's id, client_secret = the key itself —
 * and gets an opaque Bearer token bound to that key. Errors are RFC 6749 section 5.2 bodies.
 */
export const oauthRouter = new OpenAPIHono<AppEnv>();

oauthRouter.openAPIRegistry.registerPath({
  method: "post",
  path: "/oauth/v1/token",
  tags: ["Integration: OAuth"],
  summary: "Issue Access Token",
  description:
    "Client credentials grant. HTTP Basic: client_id = the API key's id, client_secret = the API key. The token (1 h) acts as the key: its scopes (or the `scope` asked for), its files; revoking the key revokes it. " +
    "The body is form-encoded: `grant_type=client_credentials` (the default) and optionally `scope` (space-separated). " +
    "Errors follow RFC 6749: 400 `invalid_request`/`unsupported_grant_type`, 401 `invalid_client`, 403 `invalid_scope`; more than 10 wrong credentials a minute from one address are 429.",
  security: [{ HTTPBasic: [] }],
  request: { body: { content: { "application/x-www-form-urlencoded": { schema: OAuthTokenRequest } } } },
  responses: {
    200: { description: "Successfully issued access token", content: { "application/json": { schema: OAuthTokenResponse } } },
    400: { description: "Invalid grant type (unsupported_grant_type) or malformed request (invalid_request)" },
    401: { description: "Invalid client credentials (invalid_client, with WWW-Authenticate: Basic)" },
    403: { description: "Unauthorized scopes requested (invalid_scope)" },
    422: { description: "Validation Error", content: { "application/json": { schema: HTTPValidationError } } },
    429: { description: "Too many failed attempts from this address, or the key is over its limits" },
  },
});

type OAuthError = "invalid_request" | "invalid_client" | "unsupported_grant_type" | "invalid_scope" | "rate_limited";

/** RFC 6749 section 5.2: `{"error", "error_description"}`, never cached. */
function oauthError(c: Context<AppEnv>, status: 400 | 401 | 403 | 429, error: OAuthError, description: string, headers: Record<string, string> = {}) {
  return c.json({ error, error_description: description }, status, { "Cache-Control": "no-store", Pragma: "no-cache", ...headers });
}

const BASIC_CHALLENGE = { "WWW-Authenticate": 'Basic realm="oauth", charset="UTF-8"' };

/** application/x-www-form-urlencoded decoding (RFC 6749 section 2.3.1 encodes id and secret so). */
function formDecode(text: string) {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/** `Authorization: Basic base64(client_id ":" client_secret)`, or undefined. */
function basicCredentials(header: string | undefined) {
  const encoded = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i)?.[1];
  if (!encoded) return undefined;
  let decoded: string;
  try {
    decoded = atob(encoded);
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  const id = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  return id === undefined || secret === undefined ? undefined : { id, secret };
}

oauthRouter.post("/oauth/v1/token", async (c) => {
  // The body: form-encoded parameters, each at most once (RFC 6749 section 3.2).
  const raw = new TextDecoder().decode(await c.req.arrayBuffer());
  const type = c.req.header("Content-Type") ?? "";
  if (raw.trim() !== "" && !/^application\/x-www-form-urlencoded\b/i.test(type)) {
    return oauthError(c, 400, "invalid_request", "Send the parameters as application/x-www-form-urlencoded");
  }
  const form = new URLSearchParams(raw);
  for (const name of new Set(form.keys())) {
    if (form.getAll(name).length > 1) return oauthError(c, 400, "invalid_request", `Parameter ${name} is repeated`);
  }
  if (form.has("client_secret")) return oauthError(c, 400, "invalid_request", "Authenticate with HTTP Basic only (no client_secret in the body)");
  // The reference makes client_credentials the default grant type.
  const grantType = form.get("grant_type") ?? "client_credentials";
  if (grantType !== "client_credentials") {
    return oauthError(c, 400, "unsupported_grant_type", "Only grant_type=client_credentials is supported");
  }

  const client = basicCredentials(c.req.header("Authorization"));
  if (!client) return oauthError(c, 401, "invalid_client", "Authenticate with HTTP Basic: the API key's id and the API key", BASIC_CHALLENGE);
  if (form.has("client_id") && form.get("client_id") !== client.id) {
    return oauthError(c, 400, "invalid_request", "client_id in the body differs from the HTTP Basic user name");
  }
  const badClient = () => new ApiError("AUTH_INVALID_TOKEN", "Invalid client credentials");
  // Malformed ids and secrets cannot be ours: refused without a D1 read.
  if (!isId(client.id) || !API_KEY_FORMAT.test(client.secret)) return oauthError(c, 401, "invalid_client", "Invalid client credentials", BASIC_CHALLENGE);

  let key;
  try {
    key = await authenticateCredential(c, { kind: "client", keyId: client.id, hash: await sha256Hex(client.secret) }, badClient);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 429) return oauthError(c, 429, "rate_limited", err.message, err.headers);
    return oauthError(c, 401, "invalid_client", "Invalid client credentials", BASIC_CHALLENGE);
  }

  const requested = (form.get("scope") ?? "").split(" ").filter(Boolean);
  const refused = requested.filter((s) => !key.scopes.includes(s));
  if (refused.length) return oauthError(c, 403, "invalid_scope", `This client may not have: ${refused.join(" ")}`);
  const scopes = requested.length ? [...new Set(requested)] : key.scopes;

  const token = randomSecret("ct_");
  const now = Date.now();
  await insertOAuthToken(c.get("db"), {
    tokenHash: await sha256Hex(token),
    keyId: key.keyId,
    scopes,
    createdAt: now,
    expiresAt: now + ACCESS_TOKEN_TTL_SECONDS * 1000,
  });
  return c.json(
    { access_token: token, token_type: "bearer", expires_in: ACCESS_TOKEN_TTL_SECONDS, scope: scopes.join(" ") },
    200,
    { "Cache-Control": "no-store", Pragma: "no-cache", ...key.headers },
  );
});
