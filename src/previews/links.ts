/** The links of a message that get previews (DESIGN §18): http(s) only, at most 3, in order, once each. */
export const MAX_PREVIEWED_LINKS = 3;

// Up to whitespace or a character that cannot be part of a URL in running text.
const LINK = /\bhttps?:\/\/[^\s<>"'`]+/gi;
// Sentence punctuation after a link ("see https://x.com/a.") belongs to the sentence.
const TRAILING = /[.,;:!?)\]}]+$/;

export function linksOf(body: string, max = MAX_PREVIEWED_LINKS): string[] {
  const links: string[] = [];
  for (const match of body.matchAll(LINK)) {
    let url: string;
    try {
      url = new URL(match[0].replace(TRAILING, "")).href;
    } catch {
      continue;
    }
    if (url.length > 2048 || links.includes(url)) continue;
    links.push(url);
    if (links.length === max) break;
  }
  return links;
}

export const sameLinks = (a: string[], b: string[]) => a.length === b.length && a.every((l, i) => l === b[i]);
