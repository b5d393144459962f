import { createRoute } from "@hono/zod-openapi";
import { errorResponses, json, userSecurity as security } from "../../platform/openapi";
import { SearchQuery, SearchResults } from "./search.schemas";

export const searchMessages = createRoute({
  method: "get",
  path: "/v1/search/messages",
  tags: ["Messages"],
  security,
  summary: "Search messages in your channels, newest first",
  description:
    "Full-text search over the live messages (replies included) of the channels you are a member of now, or of one of " +
    "them with `channel_id` (404 CHAT_CHANNEL_NOT_FOUND when you are not a member). `q` is 1-200 characters of words, " +
    "each matched as a case- and accent-insensitive prefix, all required; text in double quotes is a phrase of whole " +
    "words. Nothing else in `q` is syntax: operators, punctuation and symbols are plain text, and a `q` with no letters " +
    "or digits finds nothing. An edited message is found by its new words only. Page with `before` = the last id.",
  request: { query: SearchQuery },
  responses: { 200: json(SearchResults, "A page of matches"), ...errorResponses(400, 404) },
});
