import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { isBlockedEitherWay } from "../features/blocks/blocks.queries";
import { createGroupOrRoom, deleteChannel } from "../features/channels/channels.queries";
import { findOrCreateDm } from "../features/channels/dm.queries";
import { pickShard } from "../features/channels/placement";
import { channelJson } from "../features/channels/channels.schemas";
import { announceCreation } from "../realtime/notify";
import { findUserIds, getPublisher, insertIntegrationConversation, listConversations, publisherUserId } from "./integration.queries";
import { getUser } from "../features/users/users.queries";
import type { ChannelRow, StoredAttachment } from "../db/schema";
import type { AppEnv } from "../env";
import { ApiError } from "../platform/errors";
import { resolveAttachments } from "../features/attachments/uploads";
import { sendInRoom } from "../room/send/room-send";
import { IdempotencyHeaders } from "../features/messages/messages.schemas";
import {
  apiResponse,
  BaseResponse,
  ConversationMutationRequest,
  ConversationMutationResponse,
  ConversationPostMessageRequest,
  ConversationsResponse,
  IntegrationUserId,
  paginatedResponse,
  Paging,
} from "./integration.schemas";
import { depsOf } from "../platform/context";
import { requireScope } from "./auth";
import { integrationResponses, integrationRouter, invalidAt, ok, registerSecuritySchemes, security } from "./envelope";
import { oauthRouter } from "./oauth";

const tags = ["Integration: Chat"];

export const chatRouter = integrationRouter();
// Listing reads; everything else writes. (Hono's `/x/*` also matches `/x`, hence one rule.)
const readChat = requireScope("chat.read");
const writeChat = requireScope("chat.write");
chatRouter.use("/chat/v1/*", (c, next) => (c.req.method === "GET" ? readChat : writeChat)(c, next));
// POST /oauth/v1/token rides along with the chat router (src/index.ts mounts the integration routers).
chatRouter.route("/", oauthRouter);
registerSecuritySchemes(chatRouter);

/** Where a conversation came from (`conversationSource`): made by this API, or by people in the app. */
export const SOURCE_API = "api";
export const SOURCE_APP = "app";

chatRouter.openapi(
  createRoute({
    method: "get",
    path: "/chat/v1/conversations",
    tags,
    security: security("chat.read"),
    summary: "Get conversations",
    description:
      "Team chats (type team) and broadcast channels (type channel) of the account, oldest first; never private conversations. " +
      "Needs `chat.read`. Both conversations created here (`conversationSource: \"api\"`) and groups and rooms people made in the chat app (`\"app\"`) are listed. " +
      "Pages: `limit` (1–100, default 10) from `offset`; `paging.offset` is where the next page starts.",
    request: { query: Paging },
    responses: integrationResponses(paginatedResponse("PaginatedBaseResponse_ConversationsResponse_", ConversationsResponse), "Successful Response"),
  }),
  async (c) => {
    const { limit, offset } = c.req.valid("query");
    const rows = await listConversations(c.get("db"), limit, offset);
    const conversations = rows.map((r) => ({
      id: r.id,
      title: r.name,
      type: r.broadcast ? ("channel" as const) : ("team" as const),
      conversationSource: r.source ?? SOURCE_APP,
    }));
    return ok(c, { conversations }, { offset: offset + rows.length });
  },
);

chatRouter.openapi(
  createRoute({
    method: "post",
    path: "/chat/v1/conversations",
    tags,
    security: security("chat.write"),
    summary: "Create conversation",
    description:
      "Creates a team chat (members post) or channel (only admins post). Members are the assigned users; admins are the adminUserIds that are also assigned (the first owns it). Unknown users are 404; there are no smart groups here. " +
      "Needs `chat.write`. At least one assigned user is required (422), at most 1,000; user ids are the integer `sub`s of the chat app's users. " +
      "`isLocked: true` creates it as a broadcast group (listed as `channel`); `isMembersHidden: true` is not supported (422).",
    request: { body: { required: true, content: { "application/json": { schema: ConversationMutationRequest } } } },
    responses: integrationResponses(apiResponse("APIResponse_ConversationMutationResponse_", ConversationMutationResponse), "Successful Response", 404),
  }),
  async (c) => {
    const db = c.get("db");
    const input = c.req.valid("json");
    const smartGroup = input.assignedSmartGroupIds?.[0];
    if (smartGroup !== undefined) throw new ApiError("CHAT_USER_NOT_FOUND", `Smart group ${smartGroup} not found`);
    const assigned = [...new Set(input.assignedUserIds ?? [])];
    if (assigned.length === 0) {
      throw invalidAt(["body", "assignedUserIds"], "Value error, at least one of assignedUserIds or assignedSmartGroupIds must be provided");
    }
    const known = await findUserIds(db, assigned);
    const missing = assigned.find((id) => !known.has(id));
    if (missing !== undefined) throw new ApiError("CHAT_USER_NOT_FOUND", `User ${missing} not found`);
    // As in the reference: an admin id takes effect only when that user is also assigned.
    const admins = [...new Set(input.adminUserIds ?? [])].filter((id) => known.has(id));
    const [owner = null, ...otherAdmins] = admins;
    const channel = await createGroupOrRoom(db, {
      shard: await pickShard(db, c.env),
      type: "group",
      name: input.title,
      // A locked conversation is one where only admins post: a broadcast group here.
      broadcast: input.type === "channel" || input.isLocked === true,
      ownerId: owner,
      adminIds: otherAdmins,
      memberIds: assigned,
    });
    const description = input.description ?? [];
    try {
      await insertIntegrationConversation(db, { channelId: channel.id, source: SOURCE_API, description, createdAt: channel.createdAt });
    } catch (err) {
      await deleteChannel(db, channel.id, Date.now()).catch(() => {}); // the cron purges and drops it
      throw err;
    }
    await announceCreation(depsOf(c), channelJson(channel));
    return ok(c, {
      conversation: {
        id: channel.id,
        title: channel.name,
        type: input.type,
        assignedUserIds: assigned.map(Number),
        assignedSmartGroupIds: [],
        adminUserIds: admins.map(Number),
        isLocked: input.isLocked ?? false,
        isMembersHidden: false,
        description,
      },
    });
  },
);

/** The publisher named by `senderId`, as a sender. */
async function publisherSender(c: Context<AppEnv>, senderId: number) {
  const publisher = await getPublisher(c.get("db"), senderId);
  if (!publisher) throw new ApiError("CHAT_USER_NOT_FOUND", `Publisher ${senderId} not found`);
  return publisherUserId(publisher.id);
}

/** Declared attachment types must match what the uploads are. */
const declaredTypes = (declared: { type: "image" | "file"; fileId: string }[]) => (stored: StoredAttachment[]) => {
  stored.forEach((a, i) => {
    const actual = a.width === undefined ? "file" : "image";
    if (declared[i]!.type !== actual) {
      throw invalidAt(["body", "attachments", i, "type"], `Value error, file ${a.asset_id} is ${actual === "image" ? "an image" : "not an image"}`);
    }
  });
};

type MessageInput = z.infer<typeof ConversationPostMessageRequest>;

/**
 * Sends as publisher `publisherId`: whether it is live, the conversation exists (a DM only through
 * `intoDm`) and is not archived are all decided in the send's own directory batch.
 */
async function sendAsPublisher(c: Context<AppEnv>, channel: ChannelRow | { id: string }, publisherId: number, intoDm: boolean, input: MessageInput, key?: string) {
  const deps = depsOf(c);
  const uploaderId = c.get("principal").id;
  const assetIds = input.attachments.map((a) => a.fileId);
  try {
    // Declared types are this API's rule: checked here, before the send (the room resolves the uploads again).
    if (assetIds.length) declaredTypes(input.attachments)(await resolveAttachments(deps.db, uploaderId, assetIds));
    const { message } = await sendInRoom(deps, {
      channelId: channel.id,
      poster: { kind: "publisher", publisherId, intoDm },
      senderId: publisherUserId(publisherId),
      uploaderId,
      body: input.text,
      assetIds,
      idempotencyKey: key,
    });
    return ok(c, { messageId: message.id, conversationId: channel.id });
  } catch (err) {
    // The shared attachment rules name no field; here they are about `attachments`.
    if (err instanceof ApiError && err.code === "VALIDATION_FAILED" && err.details === undefined) {
      throw invalidAt(["body", "attachments"], `Value error, ${err.message}`);
    }
    throw err;
  }
}

const messageResponses = integrationResponses(apiResponse("APIResponse_BaseResponse_", BaseResponse), "Successful Response", 404, 413);

chatRouter.openapi(
  createRoute({
    method: "post",
    path: "/chat/v1/conversations/{conversationId}/message",
    tags,
    security: security("chat.write"),
    summary: "Send message",
    description:
      "Sends a message as a custom publisher to a team chat or channel. `data` carries the new messageId and conversationId. " +
      "Needs `chat.write`; `senderId` must be a live publisher (404 otherwise). Text is at most 1000 characters and may be empty only with attachments: completed files of this key, any number of images, at most one other file, at most 10. " +
      "Archived conversations are 403; private conversations cannot be addressed here (404). An `Idempotency-Key` header makes retries safe (per publisher, 24 h).",
    request: {
      params: z.object({ conversationId: z.string().openapi({ param: { name: "conversationId", in: "path" }, example: "1234567890123456789" }) }),
      headers: IdempotencyHeaders,
      body: { required: true, content: { "application/json": { schema: ConversationPostMessageRequest } } },
    },
    responses: messageResponses,
  }),
  async (c) => {
    const { conversationId } = c.req.valid("param");
    const input = c.req.valid("json");
    return sendAsPublisher(c, { id: conversationId }, input.senderId, false, input, c.req.valid("header")["idempotency-key"]);
  },
);

chatRouter.openapi(
  createRoute({
    method: "post",
    path: "/chat/v1/conversations/privateMessage/{userId}",
    tags,
    security: security("chat.write"),
    summary: "Send private message",
    description:
      "Sends a private message from a custom publisher to a user; the conversation is created on first use. " +
      "Needs `chat.write`. `userId` is the integer id of a chat user (404 if unknown); a user who blocked the publisher gives 403. " +
      "The body follows the same rules as Send message, including `Idempotency-Key`.",
    request: {
      params: z.object({ userId: IntegrationUserId.openapi({ param: { name: "userId", in: "path" }, type: "integer", example: 12345 }) }),
      headers: IdempotencyHeaders,
      body: { required: true, content: { "application/json": { schema: ConversationPostMessageRequest } } },
    },
    responses: messageResponses,
  }),
  async (c) => {
    const db = c.get("db");
    const { userId } = c.req.valid("param");
    const input = c.req.valid("json");
    const sender = await publisherSender(c, input.senderId);
    const user = await getUser(db, userId);
    if (!user || user.kind !== "user") throw new ApiError("CHAT_USER_NOT_FOUND", `User ${userId} not found`);
    if (await isBlockedEitherWay(db, sender, userId)) throw new ApiError("CHAT_DM_BLOCKED_USER", "The user has blocked this publisher");
    const { channel, created } = await findOrCreateDm(db, c.env, sender, userId);
    if (created) await announceCreation(depsOf(c), channelJson(channel));
    return sendAsPublisher(c, channel, input.senderId, true, input, c.req.valid("header")["idempotency-key"]);
  },
);
