import { z } from "@hono/zod-openapi";
import { codePoints } from "../../platform/schemas";
import { Message, MessageId } from "../messages/messages.schemas";
import { MAX_SEARCH_WORDS, searchWords } from "./match";

export const SearchQuery = z.object({
  q: z
    .string()
    .refine((s) => codePoints(s) >= 1 && codePoints(s) <= 200, "q must be 1-200 characters")
    // Each word is an index lookup: the cap bounds what one search can cost (a repeated word is asked once).
    .refine((s) => searchWords(s) <= MAX_SEARCH_WORDS, `q must have at most ${MAX_SEARCH_WORDS} distinct words`)
    .openapi({
      description:
        `Words (prefixes, all required, case and accents ignored; a one-letter word is whole); "double quotes" make a phrase. ` +
        `At most ${MAX_SEARCH_WORDS} distinct words (a repeated word counts once; each word of a phrase counts)`,
      example: "lunch tomor",
    }),
  channel_id: z.string().optional().openapi({ description: "Only this channel (you must be a member)", example: "1234567890123456789" }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: MessageId.optional().openapi({ description: "Message id cursor: results older than it" }),
});

export const SearchResults = z
  .object({
    messages: z.array(Message).openapi({ description: "Matching messages, newest first" }),
    has_more: z.boolean().openapi({ description: "Older matches exist: ask again with before = the last id" }),
  })
  .openapi("SearchResults");
