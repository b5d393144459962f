import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { pageHeaders } from "../../platform/page-headers";
import { ClientFrame as ChannelClientFrame } from "../../room/protocol";

/**
 * Swagger UI from our own static assets (public/docs/, copied from the pinned swagger-ui-dist by
 * scripts/docs-assets.mjs), so /docs works without internet access. No favicon request either.
 * No inline script: the set-up is /docs/swagger-init.js, so the page's CSP stays strict.
 */
const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Edge Chat API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-init.js"></script>
</body>
</html>
`;

/** `/openapi.json` (OpenAPI 3.1, from the same zod schemas that validate requests) and `/docs`. */
export function mountDocs(app: OpenAPIHono<AppEnv>) {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A user token: HS256 with JWT_SECRET, or RS256/ES256 from JWT_JWKS_URL. `sub` is the user id.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "adminToken", {
    type: "http",
    scheme: "bearer",
    description: "The operator's ADMIN_TOKEN",
  });
  // What a client sends on a channel socket: no route's request carries it (the server's frames are
  // the upgrade routes' 101 responses), so it is registered by name.
  app.openAPIRegistry.register("ChannelClientFrame", ChannelClientFrame);
  // The integration API's schemes (APIKeyHeader, OAuth2, HTTPBasic) come with its routers.
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Edge Chat API",
      version: "0.1.0",
      description: "Real-time chat on Cloudflare Workers. Errors: `{\"error\": {\"code\", \"message\", \"details\"?}}`.",
    },
  });
  app.get("/docs", pageHeaders, (c) => c.html(DOCS_HTML));
}
