import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import type { AppEnv } from "./env";
import { ApiError } from "./platform/errors";
import { type ErrorSurface, errorHandlers, validationError } from "./platform/on-error";
import { ensureIdNode } from "./platform/id-registry";
import { observe } from "./platform/observe";
import { corsMiddleware } from "./platform/cors";

/** JSON bodies are small; uploads (their own routes) are exempt. */
export const MAX_JSON_BODY = 64 * 1024;
const UPLOAD_PATH = /^\/(v1\/attachments|uploads\/[^/]+)$/;

/** A router whose request validation throws VALIDATION_FAILED, formatted once by onError. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target);
    },
  });
}

/**
 * The app with its global middleware; routers are mounted by src/index.ts. `surfaces` give
 * path prefixes whose errors take another shape than `/v1`'s (the Connecteam-compatible API).
 */
export function createApp(surfaces: ErrorSurface[] = []) {
  const app = createRouter();
  app.use(requestId({ headerName: "X-Request-Id" }));
  app.use(observe);
  // Before any authentication (mounted by src/index.ts): preflights carry no credentials.
  app.use(corsMiddleware);
  // Every row-creating path mints ids; the node lease is checked (and rarely renewed) up front.
  app.use(async (c, next) => {
    await ensureIdNode(c.env);
    await next();
  });
  const jsonLimit = bodyLimit({
    maxSize: MAX_JSON_BODY,
    onError: () => {
      throw new ApiError("PAYLOAD_TOO_LARGE", `JSON bodies are limited to ${MAX_JSON_BODY} bytes`);
    },
  });
  // Upload routes stream their bodies and enforce their own (larger) limits.
  app.use((c, next) => (UPLOAD_PATH.test(c.req.path) ? next() : jsonLimit(c, next)));
  const { onError, notFound } = errorHandlers(surfaces);
  app.notFound(notFound);
  app.onError(onError);
  return app;
}
