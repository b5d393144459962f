/**
 * The history store: every read and write of message history (messages, reactions, which uploads
 * messages use, idempotency keys) goes through here, so history can move to its own databases
 * without touching features.
 */
export * from "./attachments";
export * from "./messages";
export * from "./purge";
export * from "./reactions";
