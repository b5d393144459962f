import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Every documented error code, with the HTTP status it is always sent with. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  CHAT_EMPTY_MESSAGE: 400,
  CHAT_MESSAGE_TOO_LONG: 400,
  CHAT_CANNOT_DM_SELF: 400,
  CHAT_CANNOT_MODIFY_DM: 400,
  CHAT_TOO_MANY_REACTIONS: 400,
  CHAT_TOO_MANY_PINS: 400,
  CHAT_TOO_MANY_SCHEDULED: 400,
  CHAT_TOO_MANY_REMINDERS: 400,
  AUTH_REQUIRED: 401,
  AUTH_INVALID_TOKEN: 401,
  CHAT_NOT_MEMBER: 403,
  CHAT_NOT_ADMIN: 403,
  CHAT_NOT_MESSAGE_AUTHOR: 403,
  CHAT_DM_BLOCKED_USER: 403,
  CHAT_CANNOT_REMOVE_OWNER: 403,
  CHAT_BROADCAST_ONLY: 403,
  CHAT_CHANNEL_ARCHIVED: 403,
  CHAT_BANNED: 403,
  CHAT_MUTED: 403,
  AUTH_USER_BANNED: 403,
  AUTH_SCOPE_MISSING: 403,
  AUTH_USER_DELETED: 403,
  FILE_SIGNATURE_INVALID: 403,
  NOT_FOUND: 404,
  CHAT_CHANNEL_NOT_FOUND: 404,
  CHAT_MESSAGE_NOT_FOUND: 404,
  CHAT_USER_NOT_FOUND: 404,
  CHAT_ATTACHMENT_NOT_FOUND: 404,
  CHAT_REACTION_NOT_FOUND: 404,
  CHAT_BAN_NOT_FOUND: 404,
  CHAT_MUTE_NOT_FOUND: 404,
  CHAT_REPORT_NOT_FOUND: 404,
  CHAT_SCHEDULED_NOT_FOUND: 404,
  CHAT_REMINDER_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CHAT_REACTION_EXISTS: 409,
  CHAT_ALREADY_MEMBER: 409,
  CHAT_ATTACHMENT_IN_USE: 409,
  UPLOAD_ALREADY_RECEIVED: 409,
  CHAT_SCHEDULED_NOT_PENDING: 409,
  PAYLOAD_TOO_LARGE: 413,
  RANGE_NOT_SATISFIABLE: 416,
  UNSUPPORTED_MEDIA_TYPE: 415,
  CHAT_MESSAGE_BLOCKED: 422,
  UPGRADE_REQUIRED: 426,
  RATE_LIMITED: 429,
  UPLOAD_PENDING_LIMIT: 429,
  CHAT_SLOW_MODE: 429,
  INTERNAL: 500,
  CHAT_UNAVAILABLE: 503,
  PUSH_NOT_CONFIGURED: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** A failure a client should see: thrown anywhere, formatted once by the app's onError. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

/** The `/v1` and `/admin/v1` error body. */
export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export const channelNotFound = () => new ApiError("CHAT_CHANNEL_NOT_FOUND", "Channel not found");
/** Says how users come to exist, since "not found" is what a new app meets first (DESIGN §19). */
export const userNotFound = (id: string) =>
  new ApiError("CHAT_USER_NOT_FOUND", `User ${id} not found: a user exists once they have signed in (any request with their token) or been provisioned (PUT /admin/v1/users/{id})`);
/** A token whose `sub` names an erased user (DESIGN §17): a 403, not a 401, since a new token would not help. */
export const userDeleted = () => new ApiError("AUTH_USER_DELETED", "This account was deleted; its tokens are refused");
export const messageNotFound = () => new ApiError("CHAT_MESSAGE_NOT_FOUND", "Message not found");

/**
 * 401s carry `WWW-Authenticate` (RFC 6750): what to send, and for a bad token why it failed.
 * `scheme` is Bearer for user and admin tokens.
 */
export const authRequired = (message = "Send Authorization: Bearer <token>") =>
  new ApiError("AUTH_REQUIRED", message, undefined, { "WWW-Authenticate": 'Bearer realm="chat"' });

export const invalidToken = (message = "Token is invalid or expired") =>
  new ApiError("AUTH_INVALID_TOKEN", message, undefined, {
    "WWW-Authenticate": `Bearer realm="chat", error="invalid_token", error_description="${message.replace(/"/g, "'")}"`,
  });
