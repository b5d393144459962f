/**
 * The integration API's schemas, by operation group: they mirror Connecteam's OpenAPI document
 * (test/fixtures/connecteam-chat-openapi.json), so routes and tests import them from one place.
 */
export * from "./admin.schemas";
export * from "./chat.schemas";
export * from "./common.schemas";
export * from "./files.schemas";
