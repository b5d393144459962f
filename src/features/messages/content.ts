import type { InlineEmote } from "../../db/schema";
import { ApiError } from "../../platform/errors";
import { codePoints } from "../../platform/schemas";

export const MAX_BODY_CHARS = 1000;

/**
 * The rules every message body obeys (sends and edits): at most 1000 characters (code points),
 * text or attachments, and inline emotes that lie inside the body without overlapping.
 */
export function checkMessageContent(body: string, emotes: InlineEmote[], attachmentCount: number) {
  const length = codePoints(body);
  if (length > MAX_BODY_CHARS) {
    throw new ApiError("CHAT_MESSAGE_TOO_LONG", `Messages are limited to ${MAX_BODY_CHARS} characters (got ${length})`);
  }
  if (body.trim() === "" && attachmentCount === 0) {
    throw new ApiError("CHAT_EMPTY_MESSAGE", "A message needs a body or attachments");
  }
  const sorted = emotes.map((e, index) => ({ ...e, index })).sort((a, b) => a.start_index - b.start_index);
  const problems: { path: string; message: string }[] = [];
  let previousEnd = 0;
  for (const e of sorted) {
    const path = `inline_emotes.${e.index}`;
    if (e.end_index <= e.start_index) problems.push({ path, message: "end_index must be greater than start_index" });
    else if (e.end_index > length) problems.push({ path, message: `end_index must be at most the body length (${length})` });
    else if (e.start_index < previousEnd) problems.push({ path, message: "inline emotes must not overlap" });
    previousEnd = Math.max(previousEnd, e.end_index);
  }
  if (problems.length) throw new ApiError("VALIDATION_FAILED", "Invalid inline emotes", problems.map((p) => ({ in: "json", ...p })));
}
