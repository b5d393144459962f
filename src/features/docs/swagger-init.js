// Starts Swagger UI on /docs. A file of our own origin rather than an inline script, so the page's
// Content-Security-Policy needs no 'unsafe-inline' (src/platform/page-headers.ts). Copied to
// public/docs/ by scripts/docs-assets.mjs. No validator badge: it would load an image from
// validator.swagger.io.
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", validatorUrl: null });
