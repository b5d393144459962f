/** The integration API's OAuth 2.0 / API-key scopes (a subset of Connecteam's). */
export const SCOPES = ["chat.read", "chat.write", "attachments.read", "attachments.write", "publishers.read"] as const;
export type Scope = (typeof SCOPES)[number];
