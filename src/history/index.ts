/**
 * The history store: every read and write of message history (messages, threads, pins, reactions,
 * idempotency keys, the search index) goes through here, against the history shard a channel was placed on.
 */
export * from "./feed";
export * from "./messages";
export * from "./pins";
export * from "./previews";
export * from "./purge";
export * from "./reactions";
export * from "./search";
export * from "./threads";
export type { InlineEmote, LinkPreview, LinkPreviewState, MessageRow, StoredAttachment } from "../db/history";
export * from "./retention";
export * from "./erasure";
export * from "./held";
