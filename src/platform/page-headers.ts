import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import headers from "./page-headers.json";

/**
 * Security headers of every page we serve to a browser: the web client at / with its assets, and
 * /docs. One source (page-headers.json) for both ways they leave: the Worker's own pages through
 * `pageHeaders`, and the static assets through public/_headers, which scripts/build-client.mjs
 * writes from the same JSON (Workers Static Assets answer those without running the Worker:
 * https://developers.cloudflare.com/workers/static-assets/headers/).
 *
 * The policy allows scripts, styles and fonts from our own origin only (no inline script, no eval:
 * /docs loads its Swagger UI set-up from /docs/swagger-init.js), images also as data: (icons) and
 * blob: (previews of files being uploaded), requests and sockets to our origin, and no framing
 * (clickjacking). Pages send no Referer, which could carry a channel id to another site.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = headers;

/** Adds PAGE_HEADERS to a page the Worker renders itself. */
export const pageHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(PAGE_HEADERS)) c.res.headers.set(name, value);
});
