import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, userSecurity as security } from "../../platform/openapi";
import { ListMentionsQuery, MentionList } from "./mentions.schemas";

export const listMentions = createRoute({
  method: "get",
  path: "/v1/users/me/mentions",
  tags: ["Messages"],
  security,
  summary: "Messages that mention you, newest first",
  description:
    "Every message (replies included) that mentions you in a channel you are a member of now, newest first, across all " +
    "your channels and history shards. Deleted messages are not listed; leaving a channel removes its mentions from the list. " +
    "Page with `before` = the last message id while `has_more` is true.",
  request: { query: ListMentionsQuery },
  responses: { 200: json(MentionList, "A page of mentions"), ...errorResponses(400) },
});
