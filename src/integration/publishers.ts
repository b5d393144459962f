import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../app";
import { listPublishers } from "../db/queries/integration";
import type { PublisherRow } from "../db/schema";
import { Paging, Publisher } from "../schemas/integration";
import { requireScope } from "./auth";
import { INTEGRATION_SECURITY, integrationResponses, ok } from "./envelope";

export const publisherJson = (p: PublisherRow) => ({ id: p.id, name: p.name, imageUrl: p.imageUrl });

export const publishersApiRouter = createRouter();
publishersApiRouter.use("/publishers/v1/*", requireScope("publishers.read"));

publishersApiRouter.openapi(
  createRoute({
    method: "get",
    path: "/publishers/v1/publishers",
    tags: ["Integration: Publishers"],
    security: INTEGRATION_SECURITY,
    summary: "Custom publishers (their id is the senderId of chat messages)",
    request: { query: Paging },
    responses: integrationResponses(z.object({ publishers: z.array(Publisher) }), "A page"),
  }),
  async (c) => {
    const { limit, offset } = c.req.valid("query");
    const rows = await listPublishers(c.get("db"), limit, offset);
    return ok(c, { publishers: rows.map(publisherJson) }, { offset: offset + rows.length });
  },
);
