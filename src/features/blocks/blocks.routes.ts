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
  description:
    "Lists the users the caller has blocked, most recently blocked first. Pages hold up to `limit` (default and max 1000); when `has_more` is true, " +
    "ask again with `before` set to `next_cursor`. Only your own blocks are visible: nobody can see who blocked them.",
  request: { query: ListBlocksQuery },
  responses: { 200: json(BlockList, "Your blocks"), ...errorResponses(400) },
});

export const block = createRoute({
  method: "put",
  path: "/v1/users/me/blocks/{userID}",
  tags,
  security,
  summary: "Block a user: no new DMs and no messages in your DM, either way (idempotent)",
  description:
    "Blocks work both ways: once either user blocked the other, opening a new DM between them is 403 `CHAT_DM_BLOCKED_USER`, and so is posting, editing, reacting and typing in their existing DM. " +
    "The DM itself stays readable. Blocking someone already blocked is 204 again; blocking yourself is 400 `VALIDATION_FAILED`, a user never seen 404 `CHAT_USER_NOT_FOUND`. " +
    "Groups and rooms are not affected.",
  request: { params: BlockParams },
  responses: { 204: { description: "Blocked" }, ...errorResponses(400, 404) },
});

export const unblock = createRoute({
  method: "delete",
  path: "/v1/users/me/blocks/{userID}",
  tags,
  security,
  summary: "Unblock a user (idempotent)",
  description:
    "Removes your block of this user; their DM with you is writable again unless they blocked you too. Unblocking someone you have not blocked is also 204, so retries are safe.",
  request: { params: BlockParams },
  responses: { 204: { description: "Unblocked" }, ...errorResponses(400) },
});
