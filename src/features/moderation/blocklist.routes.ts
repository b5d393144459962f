import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody } from "../../platform/openapi";
import { adminSecurity } from "../admin/admin.schemas";
import { Blocklist, BlocklistBody } from "./blocklist.schemas";

const tags = ["Moderation"];

export const getBlocklist = createRoute({
  method: "get",
  path: "/admin/v1/moderation/blocklist",
  tags,
  security: adminSecurity,
  summary: "The blocklist's rules",
  description: "The rules in force as the last PUT left them (`[]` when none), with `version` (grows with every PUT) and when they changed.",
  request: {},
  responses: { 200: json(Blocklist, "The rules in force"), ...errorResponses() },
});

export const putBlocklist = createRoute({
  method: "put",
  path: "/admin/v1/moderation/blocklist",
  tags,
  security: adminSecurity,
  summary: "Replace the blocklist",
  description:
    "At most 1,000 rules. Every send and edit (REST, socket `send`, integration API) is checked where it is decided, in the channel's room: words match whole words, " +
    "case-, accent- and width-insensitively; domains match links to that domain and its subdomains; the strictest matching action wins. " +
    "`block` → 422 `CHAT_MESSAGE_BLOCKED` (on `/chat/v1` the Connecteam 422 with `detail` at `[\"body\",\"text\"]`), nothing stored; " +
    "`mask` → each matched character stored as `*` (lengths and `inline_emotes` ranges stay valid); `flag` → posted, and an open report with reason `blocklist` by `system`. " +
    "Matching costs time linear in the message whatever the rules (no regular expressions). Rooms use new rules within 10 s (at once where this request ran). Audited as `blocklist_update`.",
  request: { body: jsonBody(BlocklistBody) },
  responses: { 200: json(Blocklist, "The rules now in force"), ...errorResponses(400) },
});
