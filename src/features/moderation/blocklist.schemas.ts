import { z } from "@hono/zod-openapi";
import { MAX_BLOCKLIST_RULES } from "./blocklist";

export const MAX_TERM = 100;

export const BlockRuleSchema = z
  .object({
    term: z.string().trim().min(1).max(MAX_TERM).openapi({ example: "spamword", description: "A word (matched whole, case-, accent- and width-insensitively) or a domain (its subdomains too)" }),
    kind: z.enum(["word", "domain"]).openapi({ example: "word" }),
    action: z.enum(["block", "mask", "flag"]).openapi({ example: "mask", description: "block: 422 CHAT_MESSAGE_BLOCKED, nothing stored; mask: each matched character stored as *; flag: posted, and an open report by system" }),
  })
  .openapi("BlockRule");

export const BlocklistBody = z
  .object({ rules: z.array(BlockRuleSchema).max(MAX_BLOCKLIST_RULES).openapi({ description: `At most ${MAX_BLOCKLIST_RULES}; replaces every rule ([] clears them)` }) })
  .openapi("BlocklistRequest", { example: { rules: [{ term: "spamword", kind: "word", action: "block" }, { term: "darn", kind: "word", action: "mask" }, { term: "scam.example", kind: "domain", action: "flag" }] } });

export const Blocklist = z
  .object({
    rules: z.array(BlockRuleSchema),
    version: z.number().int().openapi({ example: 3, description: "Grows with every PUT" }),
    updated_at: z.number().int().nullable().openapi({ example: 1735732800 }),
  })
  .openapi("Blocklist");
