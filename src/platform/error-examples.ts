/**
 * A realistic message for every error code, for the OpenAPI document's per-status examples (a
 * client generator or a reader sees which codes each status carries on each route).
 */
import type { ErrorCode } from "./errors";

export const ERROR_EXAMPLES: Record<ErrorCode, string> = {
  VALIDATION_FAILED: "Request validation failed",
  CHAT_EMPTY_MESSAGE: "A message needs a body or an attachment",
  CHAT_MESSAGE_TOO_LONG: "The body is 1012 characters; the limit is 1000",
  CHAT_CANNOT_DM_SELF: "You cannot open a DM with yourself",
  CHAT_CANNOT_MODIFY_DM: "A DM's members and settings cannot be changed",
  CHAT_TOO_MANY_REACTIONS: "A message takes at most 20 different emotes",
  CHAT_TOO_MANY_PINS: "A channel keeps at most 50 pinned messages; unpin one first",
  AUTH_REQUIRED: "Send Authorization: Bearer <token>",
  AUTH_INVALID_TOKEN: "The token has expired",
  CHAT_NOT_MEMBER: "You are not a member of this channel",
  CHAT_NOT_ADMIN: "Only the channel's owner or admins can add members",
  CHAT_NOT_MESSAGE_AUTHOR: "You can only edit your own messages",
  CHAT_DM_BLOCKED_USER: "You cannot message a user you blocked or who blocked you",
  CHAT_CANNOT_REMOVE_OWNER: "Transfer ownership before the owner leaves",
  CHAT_BROADCAST_ONLY: "Only the owner and admins post in this channel",
  CHAT_CHANNEL_ARCHIVED: "This channel is archived",
  AUTH_SCOPE_MISSING: "This API key lacks the chat.write scope",
  FILE_SIGNATURE_INVALID: "The link's signature is invalid or expired",
  NOT_FOUND: "No route for GET /v1/nope",
  CHAT_CHANNEL_NOT_FOUND: "Channel not found",
  CHAT_MESSAGE_NOT_FOUND: "Message not found",
  CHAT_USER_NOT_FOUND: "User bob not found",
  CHAT_ATTACHMENT_NOT_FOUND: "Attachment 999888777 not found",
  CHAT_REACTION_NOT_FOUND: "You have not reacted with this emote",
  METHOD_NOT_ALLOWED: "Method not allowed",
  CHAT_REACTION_EXISTS: "You already reacted with this emote",
  CHAT_ALREADY_MEMBER: "Already a member",
  CHAT_ATTACHMENT_IN_USE: "Attachment 999888777 is already used by another message",
  UPLOAD_ALREADY_RECEIVED: "This upload URL was already used",
  PAYLOAD_TOO_LARGE: "JSON bodies are limited to 65536 bytes",
  RANGE_NOT_SATISFIABLE: "The range starts past the end of the file",
  UNSUPPORTED_MEDIA_TYPE: "Unsupported Media Type: send the body as JSON with Content-Type: application/json (got text/plain)",
  UPGRADE_REQUIRED: "Send Upgrade: websocket",
  RATE_LIMITED: "Too many requests; retry after the Retry-After seconds",
  INTERNAL: "Internal error",
  CHAT_UNAVAILABLE: "The database is briefly unavailable; retry after Retry-After seconds",
};
