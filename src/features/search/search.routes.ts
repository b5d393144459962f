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
    "each matched as a case- and accent-insensitive prefix (a one-letter word as a whole word: `a` finds \"a\", not " +
    "\"apple\"), all required; text in double quotes is a phrase of whole words. At most 8 distinct words (a repeated " +
    "word counts once, each word of a phrase counts, `don't` is two), else 400 VALIDATION_FAILED on `q`. Nothing else " +
    "in `q` is syntax: operators, punctuation and symbols are plain text, and a `q` with no letters or digits finds " +
    "nothing. An edited message is found by its new words only. Page with `before` = the last id. Searches have their " +
    "own rate limit, 60 a minute per user besides the /v1 budget: 429 RATE_LIMITED with Retry-After past it.",
  request: { query: SearchQuery },
  responses: { 200: json(SearchResults, "A page of matches"), ...errorResponses(400, 404) },
});
