/**
 * Turns what a user typed into an FTS5 MATCH expression that can contain no FTS5 syntax of theirs.
 * Words are matched as prefixes, all required; "double quotes" make a phrase. Everything is reduced
 * to runs of letters, numbers and marks, each run quoted, so `*`, `-`, `:`, `^`, `(`, `AND`, `OR`,
 * `NOT`, `NEAR(`, column filters and stray quotes are plain text (or nothing at all).
 *
 * Cost is bounded here (DESIGN §9): every index lookup is one word of one term, and a prefix of one
 * letter would merge the posting lists of every word starting with it. So terms that are the same
 * are asked once, a one-letter word is a whole word, and `searchWords` counts what is left so the
 * schema can refuse more than `MAX_SEARCH_WORDS`.
 */

/** The most words a search may ask the index for (400 VALIDATION_FAILED past it; docs/api-guide.md). */
export const MAX_SEARCH_WORDS = 8;

/** What the unicode61 tokenizer indexes (letters, numbers; marks so accents stay on their letter). */
const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;

/** One term of the expression: a bare word (its last run a prefix) or a quoted phrase of whole words. */
interface Term {
  tokens: string[];
  prefix: boolean;
}

/** A token as the index sees it (`remove_diacritics 2`, case folded): so `Café` and `cafe` are one word. */
const fold = (token: string) => token.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/**
 * The terms of `q`, each once (compared as the index compares words).
 *
 * - A bare word is a prefix: `caf` → `"caf"*`. A word made of several runs (`don't`, `a*b`,
 *   `body:x`) is those runs in a row, the last a prefix: `"don t"` (here `t` is one letter: whole).
 * - A last run of one letter is a whole word: `a` finds "a", not "apple".
 * - Text between a pair of double quotes is a phrase of whole words: `"red car"`.
 *   A quote without its pair is ignored; what follows it is words.
 */
function termsOf(q: string): Term[] {
  const terms = new Map<string, Term>();
  const add = (tokens: string[], prefix: boolean) => {
    const key = `${prefix ? "*" : '"'}${tokens.map(fold).join(" ")}`;
    if (!terms.has(key)) terms.set(key, { tokens, prefix });
  };
  const segments = q.split('"');
  segments.forEach((segment, i) => {
    // Odd segments sit after an opening quote; they are a phrase only if a closing quote follows.
    const phrase = i % 2 === 1 && i < segments.length - 1;
    if (phrase) {
      const tokens = segment.match(TOKEN);
      if (tokens) add(tokens, false);
      return;
    }
    for (const word of segment.split(/\s+/)) {
      const tokens = word.match(TOKEN);
      if (tokens) add(tokens, [...fold(tokens.at(-1)!)].length > 1);
    }
  });
  return [...terms.values()];
}

/**
 * How many words `q` asks the index for: each distinct term's runs. A word repeated outside quotes
 * counts once (`lunch lunch` is 1); a phrase counts each of its words, since each is looked up
 * (`"very very good"` is 3); `don't` is 2.
 */
export const searchWords = (q: string) => termsOf(q).reduce((n, t) => n + t.tokens.length, 0);

const quote = (tokens: string[]) => `"${tokens.join(" ").replaceAll('"', '""')}"`;

/**
 * The MATCH expression for `q` (terms joined by spaces: FTS5's implicit AND), or undefined when it
 * holds nothing searchable (emoji, punctuation): then nothing can match and no query is needed.
 */
export function ftsMatch(q: string): string | undefined {
  const terms = termsOf(q).map((t) => `${quote(t.tokens)}${t.prefix ? "*" : ""}`);
  return terms.length ? terms.join(" ") : undefined;
}
