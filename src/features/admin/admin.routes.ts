import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody } from "../../platform/openapi";
import { UserId } from "../../platform/schemas";
import { ChannelParams } from "../channels/channels.schemas";
import { AdminUser, ProvisionUserBody, adminSecurity } from "./admin.schemas";

export const provisionUser = createRoute({
  method: "put",
  path: "/admin/v1/users/{userID}",
  tags: ["Admin"],
  security: adminSecurity,
  summary: "Create or rename a user before their first login",
  description:
    "Operators only (`Authorization: Bearer <ADMIN_TOKEN>`). Creates the user with this id and display name, or renames an existing one, so they can be added to channels " +
    "(adding a user never seen is 404 `CHAT_USER_NOT_FOUND`) before they first sign in. Ids starting `pub_` or `apikey_` are reserved for the service's own principals (400). " +
    "The user's next token with a different `name` renames them again.",
  request: {
    params: z.object({ userID: UserId.openapi({ param: { name: "userID", in: "path" } }) }),
    body: jsonBody(ProvisionUserBody),
  },
  responses: { 200: json(AdminUser, "The user"), ...errorResponses(400) },
});

export const roomStats = createRoute({
  method: "get",
  path: "/admin/v1/rooms/{channelID}",
  tags: ["Admin"],
  security: adminSecurity,
  summary: "A channel room's write-ahead counters",
  description:
    "Operators only. What the channel's room holds that D1 does not yet (`unflushed`), and, since the room last started, the messages it flushed, " +
    "the flushes and D1 transactions they took (group commit: a flush is one shard batch and one directory batch, whatever the number of messages), " +
    "its event `seq` and open sockets. Touches no D1.",
  request: { params: ChannelParams },
  responses: {
    200: json(
      z.object({
        seq: z.number().int(),
        unflushed: z.number().int(),
        flushed_messages: z.number().int(),
        flushes: z.number().int(),
        d1_transactions: z.number().int(),
        sockets: z.number().int(),
      }).openapi({ example: { seq: 1042, unflushed: 0, flushed_messages: 1000, flushes: 96, d1_transactions: 192, sockets: 201 } }),
      "The room's counters",
    ),
    ...errorResponses(404),
  },
});
