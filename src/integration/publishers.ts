import { createRoute } from "@hono/zod-openapi";
import { listPublishers } from "./integration.queries";
import type { PublisherRow } from "../db/schema";
import { paginatedResponse, Paging, PublishersResponse } from "./integration.schemas";
import { requireScope } from "./auth";
import { integrationResponses, integrationRouter, ok, security } from "./envelope";

/** The reference's PublisherResponse: `imageUrl` is a string, "" when the publisher has no image. */
export const publisherResponse = (p: PublisherRow) => ({ id: p.id, name: p.name, imageUrl: p.imageUrl ?? "" });

/** The admin API's view: `imageUrl` null when there is none. */
export const publisherJson = (p: PublisherRow) => ({ id: p.id, name: p.name, imageUrl: p.imageUrl });

export const publishersApiRouter = integrationRouter();
publishersApiRouter.use("/publishers/v1/*", requireScope("publishers.read"));

publishersApiRouter.openapi(
  createRoute({
    method: "get",
    path: "/publishers/v1/publishers",
    tags: ["Integration: Publishers"],
    security: security("publishers.read"),
    summary: "Get publishers",
    description:
      "Custom publishers (their id is the senderId of chat messages), oldest first, `limit` (1–100, default 10) from `offset`. " +
      "Needs `publishers.read`. Publishers are created by the operator (`POST /admin/v1/publishers`); `imageUrl` is \"\" when a publisher has none. " +
      "`paging.offset` is the offset of the next page; a page shorter than `limit` is the last.",
    request: { query: Paging },
    responses: integrationResponses(paginatedResponse("PaginatedBaseResponse_PublishersResponse_", PublishersResponse), "Successful Response"),
  }),
  async (c) => {
    const { limit, offset } = c.req.valid("query");
    const rows = await listPublishers(c.get("db"), limit, offset);
    return ok(c, { publishers: rows.map(publisherResponse) }, { offset: offset + rows.length });
  },
);
