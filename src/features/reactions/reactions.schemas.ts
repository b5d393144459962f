import { z } from "@hono/zod-openapi";
import { MessageParams } from "../messages/messages.schemas";

const ASSET_ID = /^\d{1,20}$/;
/**
 * One RGI emoji (👍, ❤️, 👍🏽, 🏳️‍🌈, 🇫🇷): `\p{RGI_Emoji}` is a property of strings, which needs the
 * `v` flag (ES2024; workerd supports it). Built with `new RegExp` because tsc refuses a `/…/v` literal
 * below an ES2024 target.
 */
const RGI_EMOJI = new RegExp("^\\p{RGI_Emoji}$", "v");
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });
/** Far above the longest RGI sequence (a family or flag: ~11 code points); bounds the work on junk. */
const MAX_EMOJI_UNITS = 64;

/** Exactly one user-perceived character, and that character an RGI emoji. */
export function isEmoji(s: string): boolean {
  if (s.length === 0 || s.length > MAX_EMOJI_UNITS) return false;
  let count = 0;
  for (const _ of graphemes.segment(s)) if (++count > 1) return false;
  return RGI_EMOJI.test(s);
}

/**
 * A reaction's emote: a platform asset id (1–20 digits, string or number) or one Unicode emoji, so
 * an app without an emote catalogue can still react. Always answered as a string.
 */
export const EmoteId = z
  .union([
    z.string().refine((s) => ASSET_ID.test(s) || isEmoji(s), "an emote is an asset id (1-20 digits) or exactly one emoji"),
    z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  ])
  .transform(String)
  .openapi({ type: "string", example: "👍", description: "An asset id (1–20 digits) or one RGI emoji (percent-encoded in a path)" });

export const ReactionParams = MessageParams.extend({
  emoteID: EmoteId.openapi({ param: { name: "emoteID", in: "path" }, type: "string" }),
});

export const ReactionBody = z.object({ emote_asset_id: EmoteId }).openapi("AddReaction");
