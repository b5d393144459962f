import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody, userSecurity as security } from "../../platform/openapi";
import { ChannelParams } from "../channels/channels.schemas";
import { EditMessageBody, IdempotencyHeaders, ListMessagesQuery, Message, MessagePage, MessageParams, SendMessageBody } from "./messages.schemas";

const tags = ["Messages"];

export const listMessages = createRoute({
  method: "get",
  path: "/v1/channels/{channelID}/messages",
  tags,
  security,
  summary: "List messages, newest first (cursors: before, after, around)",
  request: { params: ChannelParams, query: ListMessagesQuery },
  responses: { 200: json(MessagePage, "A page of messages"), ...errorResponses(400, 403, 404) },
});

export const sendMessage = createRoute({
  method: "post",
  path: "/v1/channels/{channelID}/messages",
  tags,
  security,
  summary: "Send a message (Idempotency-Key: a retry within 24 h returns the original)",
  request: { params: ChannelParams, headers: IdempotencyHeaders, body: jsonBody(SendMessageBody) },
  responses: { 201: json(Message, "The stored message"), ...errorResponses(400, 403, 404) },
});

export const editMessage = createRoute({
  method: "put",
  path: "/v1/channels/{channelID}/messages/{messageID}",
  tags,
  security,
  summary: "Edit your own message",
  request: { params: MessageParams, body: jsonBody(EditMessageBody) },
  responses: { 200: json(Message, "The edited message"), ...errorResponses(400, 403, 404) },
});

export const deleteMessage = createRoute({
  method: "delete",
  path: "/v1/channels/{channelID}/messages/{messageID}",
  tags,
  security,
  summary: "Delete a message (author, or channel owner/admins); it stays as a tombstone",
  request: { params: MessageParams },
  responses: { 204: { description: "Deleted" }, ...errorResponses(403, 404) },
});
