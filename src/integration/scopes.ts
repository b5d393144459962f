/** The integration API's OAuth 2.0 / API-key scopes (a subset of Connecteam's). */
export const SCOPES = [
  "chat.read",
  "chat.write",
  "attachments.read",
  "attachments.write",
  "publishers.read",
  // Webhook settings, as the reference splits them: GET read, POST/PUT write, DELETE delete.
  "settings.read",
  "settings.write",
  "settings.delete",
] as const;
export type Scope = (typeof SCOPES)[number];
