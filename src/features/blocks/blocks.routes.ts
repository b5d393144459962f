import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, userSecurity as security } from "../../platform/openapi";
import { BlockList, BlockParams, ListBlocksQuery } from "./blocks.schemas";

const tags = ["Users"];

export const listBlocks = createRoute({
  method: "get",
  path: "/v1/users/me/blocks",
  tags,
  security,
  summary: "Users you have blocked, most recent first (pages of up to 1000)",
  request: { query: ListBlocksQuery },
  responses: { 200: json(BlockList, "Your blocks"), ...errorResponses(400) },
});

export const block = createRoute({
  method: "put",
  path: "/v1/users/me/blocks/{userID}",
  tags,
  security,
  summary: "Block a user: no new DMs and no messages in your DM, either way (idempotent)",
  request: { params: BlockParams },
  responses: { 204: { description: "Blocked" }, ...errorResponses(400, 404) },
});

export const unblock = createRoute({
  method: "delete",
  path: "/v1/users/me/blocks/{userID}",
  tags,
  security,
  summary: "Unblock a user (idempotent)",
  request: { params: BlockParams },
  responses: { 204: { description: "Unblocked" }, ...errorResponses(400) },
});
