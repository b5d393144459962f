import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody } from "../../platform/openapi";
import { UserId } from "../../platform/schemas";
import { ChannelParams } from "../channels/channels.schemas";
import { Member } from "../members/members.schemas";
import { AdminUser, ProvisionUserBody, ProvisionUsersBody, adminSecurity } from "./admin.schemas";

export const provisionUser = createRoute({
  method: "put",
  path: "/admin/v1/users/{userID}",
  tags: ["Admin"],
  security: adminSecurity,
  summary: "Create (201) or rename (200) a user before their first login",
  description:
    "Operators only (`Authorization: Bearer <ADMIN_TOKEN>`). Creates the user with this id and display name, or renames an existing one, so they can be added to channels " +
    "(adding a user never seen is 404 `CHAT_USER_NOT_FOUND`) before they first sign in. Ids starting `pub_` or `apikey_` are reserved for the service's own principals (400). " +
    "The user's next token with a different `name` renames them again.",
  request: {
    params: z.object({ userID: UserId.openapi({ param: { name: "userID", in: "path" } }) }),
    body: jsonBody(ProvisionUserBody),
  },
  responses: { 201: json(AdminUser, "Created"), 200: json(AdminUser, "Renamed"), ...errorResponses(400) },
});

export const provisionUsers = createRoute({
  method: "post",
  path: "/admin/v1/users/batch",
  tags: ["Admin"],
  security: adminSecurity,
  summary: "Create or rename up to 1,000 users at once",
  description:
    "Operators only. For the HR or identity system that knows people before they sign in: each user is created, or renamed when the id exists, and can be messaged, " +
    "added to channels and found (`GET /v1/users?q=`) at once. Answers how many were created and how many updated. Reserved ids (`pub_`, `apikey_`) are 400, and nothing is written.",
  request: { body: jsonBody(ProvisionUsersBody) },
  responses: {
    200: json(z.object({ created: z.number().int(), updated: z.number().int() }).openapi("ProvisionedCounts", { example: { created: 2, updated: 0 } }), "Counts"),
    ...errorResponses(400),
  },
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
        d1_transactions: z.number().int().openapi({ description: "Shard batches, plus directory batches written inline" }),
        directory_transactions: z.number().int().openapi({ description: "Directory batches this room wrote itself (flushes with mentions or early deletes); the rest go through the DIRECTORY queue" }),
        sockets: z.number().int(),
      }).openapi({ example: { seq: 1042, unflushed: 0, flushed_messages: 1000, flushes: 96, d1_transactions: 98, directory_transactions: 2, sockets: 201 } }),
      "The room's counters",
    ),
    ...errorResponses(404),
  },
});

export const assignOwner = createRoute({
  method: "put",
  path: "/admin/v1/channels/{channelID}/owner",
  tags: ["Admin"],
  security: adminSecurity,
  summary: "Make a member the channel's owner",
  description:
    "Operators only. The one way to give an ownerless channel (one made through the integration API without admins, say) an owner: its admins may manage " +
    "roles but cannot make themselves owner (403 `CHAT_NOT_ADMIN`), and only an owner deletes the channel. In a channel with an owner this transfers " +
    "ownership (the previous owner becomes an admin). The user must be a member (404 `CHAT_USER_NOT_FOUND`); DMs have no owner (400 `CHAT_CANNOT_MODIFY_DM`). " +
    "Members hear `channel_update` with the new `owner_id`.",
  request: {
    params: ChannelParams,
    body: jsonBody(z.object({ user_id: UserId }).openapi("AssignOwnerBody", { example: { user_id: "alice" } })),
  },
  responses: { 200: json(Member, "The new owner's membership"), ...errorResponses(400, 404) },
});
