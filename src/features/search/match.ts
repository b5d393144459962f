/**
 * Turns what a user typed into an FTS5 MATCH expression that can contain no FTS5 syntax of theirs.
 * Words are matched as prefixes, all required; "double quotes" make a phrase. Everything is reduced
 * to runs of letters, numbers and marks, each run quoted, so `*`, `-`, `:`, `^`, `(`, `AND`, `OR`,
 * `NOT`, `NEAR(`, column filters and stray quotes are plain text (or nothing at all).
 */

/** What the unicode61 tokenizer indexes (letters, numbers; marks so accents stay on their letter). */
const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;

const quote = (tokens: string[]) => `"${tokens.join(" ").replaceAll('"', '""')}"`;

/**
 * The MATCH expression for `q`, or undefined when it holds nothing searchable (emoji, punctuation):
 * then nothing can match and no query is needed.
 *
 * - A bare word is a prefix: `caf` → `"caf"*`. A word made of several runs (`don't`, `a*b`,
 *   `body:x`) is those runs in a row, the last a prefix: `"don t"*`.
 * - Text between a pair of double quotes is a phrase of whole words: `"red car"` → `"red car"`.
 *   A quote without its pair is ignored; what follows it is words.
 * - Terms are joined by spaces: FTS5's implicit AND.
 */
export function ftsMatch(q: string): string | undefined {
  const terms: string[] = [];
  const segments = q.split('"');
  segments.forEach((segment, i) => {
    // Odd segments sit after an opening quote; they are a phrase only if a closing quote follows.
    const phrase = i % 2 === 1 && i < segments.length - 1;
    if (phrase) {
      const tokens = segment.match(TOKEN);
      if (tokens) terms.push(quote(tokens));
      return;
    }
    for (const word of segment.split(/\s+/)) {
      const tokens = word.match(TOKEN);
      if (tokens) terms.push(`${quote(tokens)}*`);
    }
  });
  return terms.length ? terms.join(" ") : undefined;
}
