// The chat SDK: usable on its own from a browser or Node 22 (global fetch and WebSocket).
export { ChatClient, ChannelSubscription } from "./client";
export type { ChatClientOptions, ChatClientEvents, ChannelEvent, SendOptions, UploadOptions } from "./client";
export { ChatApiError, randomId } from "./errors";
export { Emitter } from "./emitter";
export { ReconnectingSocket, backoffDelay } from "./socket";
export { retryAfterMs, retryDelay } from "./retry";
export type { RetryOptions } from "./retry";
export { UserSocket } from "./user-socket";
export type { NotifyData, UserSocketEvents } from "./user-socket";
export type { ServerFrame, SocketStatus, SocketEvents, ReconnectingSocketOptions, BackoffOptions } from "./socket";
export type { UploadProgress } from "./upload";
export type * from "./types";
