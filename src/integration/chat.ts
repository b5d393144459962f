import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createRouter } from "../app";
import { isBlockedEitherWay } from "../features/blocks/blocks.queries";
import { createGroupOrRoom, findChannelWithMembership } from "../features/channels/channels.queries";
import { findOrCreateDm } from "../features/channels/dm.queries";
import { getPublisher, listConversations, publisherUserId } from "../db/queries/integration";
import { getUser } from "../features/users/users.queries";
import { requireKnownUsers } from "../features/channels/access";
import type { ChannelRow, StoredAttachment } from "../db/schema";
import type { AppEnv } from "../env";
import { ApiError, userNotFound } from "../platform/errors";
import { isId } from "../platform/ids";
import { sendMessage } from "../features/messages/send";
import { IdempotencyHeaders } from "../features/messages/messages.schemas";
import { Conversation, CreateConversationBody, IntegrationMessageBody, Paging, SentMessage } from "../schemas/integration";
import { depsOf } from "../platform/context";
import { requireScope } from "./auth";
import { INTEGRATION_SECURITY, integrationResponses, ok } from "./envelope";

const tags = ["Integration: Chat"];
const notFound = (what: string) => new ApiError("CHAT_CHANNEL_NOT_FOUND", `${what} not found`);

export const chatRouter = createRouter();
// Listing reads; everything else writes. (Hono's `/x/*` also matches `/x`, hence one rule.)
const readChat = requireScope("chat.read");
const writeChat = requireScope("chat.write");
chatRouter.use("/chat/v1/*", (c, next) => (c.req.method === "GET" ? readChat : writeChat)(c, next));

chatRouter.openapi(
  createRoute({
    method: "get",
    path: "/chat/v1/conversations",
    tags,
    security: INTEGRATION_SECURITY,
    summary: "Team chats (type team) and broadcast channels (type channel); never private conversations",
    request: { query: Paging },
    responses: integrationResponses(z.object({ conversations: z.array(Conversation) }), "A page"),
  }),
  async (c) => {
    const { limit, offset } = c.req.valid("query");
    const rows = await listConversations(c.get("db"), limit, offset);
    const conversations = rows.map((r) => ({ id: r.id, title: r.name, type: r.broadcast ? ("channel" as const) : ("team" as const) }));
    return ok(c, { conversations }, { offset: offset + rows.length });
  },
);

chatRouter.openapi(
  createRoute({
    method: "post",
    path: "/chat/v1/conversations",
    tags,
    security: INTEGRATION_SECURITY,
    summary: "Create a team chat or channel; members are the assigned users plus the admins (first admin owns it)",
    request: { body: { required: true, content: { "application/json": { schema: CreateConversationBody } } } },
    responses: integrationResponses(Conversation.extend({ conversationId: z.string() }), "Created"),
  }),
  async (c) => {
    const db = c.get("db");
    const input = c.req.valid("json");
    const everyone = [...new Set([...input.adminUserIds, ...input.assignedUserIds])];
    // Publishers are users too, but never conversation members.
    const publisher = everyone.find((id) => id.startsWith("pub_"));
    if (publisher) throw userNotFound(publisher);
    await requireKnownUsers(db, everyone);
    const [owner = null, ...admins] = [...new Set(input.adminUserIds)];
    const channel = await createGroupOrRoom(db, {
      type: "group",
      name: input.title,
      broadcast: input.type === "channel",
      ownerId: owner,
      adminIds: admins,
      memberIds: input.assignedUserIds,
    });
    return ok(c, { conversationId: channel.id, id: channel.id, title: channel.name, type: input.type });
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
      throw new ApiError("VALIDATION_FAILED", "Attachment type does not match the file", [
        { in: "json", path: `attachments.${i}.type`, code: "value_error", message: `file ${a.asset_id} is ${actual === "image" ? "an image" : "not an image"}` },
      ]);
    }
  });
};

async function sendAsPublisher(c: Context<AppEnv>, channel: ChannelRow, sender: string, input: z.infer<typeof IntegrationMessageBody>, key?: string) {
  if (channel.archived) throw new ApiError("CHAT_CHANNEL_ARCHIVED", "This conversation is archived");
  const { message } = await sendMessage(depsOf(c), {
    channel,
    senderId: sender,
    uploaderId: c.get("principal").id,
    body: input.text,
    assetIds: input.attachments.map((a) => a.fileId),
    idempotencyKey: key,
    checkAttachments: declaredTypes(input.attachments),
  });
  return ok(c, { messageId: message.id, conversationId: channel.id });
}

chatRouter.openapi(
  createRoute({
    method: "post",
    path: "/chat/v1/conversations/{conversationId}/message",
    tags,
    security: INTEGRATION_SECURITY,
    summary: "Send a message as a custom publisher to a team chat or channel",
    request: {
      params: z.object({ conversationId: z.string().openapi({ param: { name: "conversationId", in: "path" } }) }),
      headers: IdempotencyHeaders,
      body: { required: true, content: { "application/json": { schema: IntegrationMessageBody } } },
    },
    responses: integrationResponses(SentMessage, "Sent"),
  }),
  async (c) => {
    const { conversationId } = c.req.valid("param");
    const input = c.req.valid("json");
    const sender = await publisherSender(c, input.senderId);
    const found = isId(conversationId) ? await findChannelWithMembership(c.get("db"), conversationId, sender) : undefined;
    if (!found || found.channel.type === "dm") throw notFound("Conversation");
    return sendAsPublisher(c, found.channel, sender, input, c.req.valid("header")["idempotency-key"]);
  },
);

chatRouter.openapi(
  createRoute({
    method: "post",
    path: "/chat/v1/conversations/privateMessage/{userId}",
    tags,
    security: INTEGRATION_SECURITY,
    summary: "Send a private message from a custom publisher to a user (the DM is created on first use)",
    request: {
      params: z.object({ userId: z.string().openapi({ param: { name: "userId", in: "path" } }) }),
      headers: IdempotencyHeaders,
      body: { required: true, content: { "application/json": { schema: IntegrationMessageBody } } },
    },
    responses: integrationResponses(SentMessage, "Sent"),
  }),
  async (c) => {
    const db = c.get("db");
    const { userId } = c.req.valid("param");
    const input = c.req.valid("json");
    const sender = await publisherSender(c, input.senderId);
    const user = await getUser(db, userId);
    if (!user || user.kind !== "user") throw new ApiError("CHAT_USER_NOT_FOUND", `User ${userId} not found`);
    if (await isBlockedEitherWay(db, sender, userId)) throw new ApiError("CHAT_DM_BLOCKED_USER", "The user has blocked this publisher");
    const { channel } = await findOrCreateDm(db, sender, userId);
    return sendAsPublisher(c, channel, sender, input, c.req.valid("header")["idempotency-key"]);
  },
);
