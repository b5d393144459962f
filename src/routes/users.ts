import { createRoute } from "@hono/zod-openapi";
import { createRouter } from "../app";
import { blockUser, listBlocks, unblockUser } from "../db/queries/blocks";
import { getUser } from "../db/queries/users";
import { ApiError, userNotFound } from "../lib/errors";
import { seconds } from "../lib/serialize";
import { errorResponses, json } from "../schemas/common";
import { BlockList, BlockParams, Me } from "../schemas/users";

const security = [{ bearerAuth: [] }];
const tags = ["Users"];

export const usersRouter = createRouter();

usersRouter.openapi(
  createRoute({
    method: "get",
    path: "/v1/users/me",
    tags,
    security,
    summary: "The signed-in user",
    responses: { 200: json(Me, "You") },
  }),
  async (c) => {
    const user = c.get("user");
    const row = await getUser(c.get("db"), user.id);
    return c.json({ id: user.id, display_name: row?.displayName ?? user.name }, 200);
  },
);

usersRouter.openapi(
  createRoute({
    method: "get",
    path: "/v1/users/me/blocks",
    tags,
    security,
    summary: "Users you have blocked, most recent first",
    responses: { 200: json(BlockList, "Your blocks") },
  }),
  async (c) => {
    const rows = await listBlocks(c.get("db"), c.get("user").id);
    const blocks = rows.map((r) => ({ user_id: r.userId, display_name: r.displayName, created_at: seconds(r.createdAt) }));
    return c.json({ blocks }, 200);
  },
);

usersRouter.openapi(
  createRoute({
    method: "put",
    path: "/v1/users/me/blocks/{userID}",
    tags,
    security,
    summary: "Block a user: no new DMs and no messages in your DM, either way (idempotent)",
    request: { params: BlockParams },
    responses: { 204: { description: "Blocked" }, ...errorResponses(400, 404) },
  }),
  async (c) => {
    const db = c.get("db");
    const me = c.get("user").id;
    const { userID } = c.req.valid("param");
    if (userID === me) throw new ApiError("VALIDATION_FAILED", "You cannot block yourself");
    if (!(await getUser(db, userID))) throw userNotFound(userID);
    await blockUser(db, me, userID);
    return c.body(null, 204);
  },
);

usersRouter.openapi(
  createRoute({
    method: "delete",
    path: "/v1/users/me/blocks/{userID}",
    tags,
    security,
    summary: "Unblock a user (idempotent)",
    request: { params: BlockParams },
    responses: { 204: { description: "Unblocked" }, ...errorResponses(400) },
  }),
  async (c) => {
    await unblockUser(c.get("db"), c.get("user").id, c.req.valid("param").userID);
    return c.body(null, 204);
  },
);
