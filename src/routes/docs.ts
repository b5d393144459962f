import { swaggerUI } from "@hono/swagger-ui";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";

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
  // The integration API's schemes (APIKeyHeader, OAuth2, HTTPBasic) come with its routers.
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Edge Chat API",
      version: "0.1.0",
      description: "Real-time chat on Cloudflare Workers. Errors: `{\"error\": {\"code\", \"message\", \"details\"?}}`.",
    },
  });
  app.get("/docs", swaggerUI({ url: "/openapi.json" }));
}
