/**
 * A page's preview metadata, read with the runtime's HTMLRewriter (a streaming parser built into
 * workerd: no HTML parser in the bundle). Open Graph first, then the Twitter card, then `<title>` and
 * `<meta name="description">`. Attribute values and text come as written in the HTML (entities not
 * decoded), so the common entities are decoded here.
 */
export interface PageMeta {
  title: string | null;
  description: string | null;
  siteName: string | null;
  /** Absolute (resolved against the page's final URL); http(s) only. */
  image: string | null;
}

const MAX_TITLE = 300;
const MAX_DESCRIPTION = 1000;

export async function readMeta(html: Uint8Array<ArrayBuffer>, pageUrl: string): Promise<PageMeta> {
  const meta = new Map<string, string>();
  let title = "";
  let titles = 0;
  const rewriter = new HTMLRewriter()
    .on("meta", {
      element(e) {
        const key = (e.getAttribute("property") ?? e.getAttribute("name"))?.trim().toLowerCase();
        const content = e.getAttribute("content");
        // The first of each wins (a page may repeat og:image for alternatives).
        if (key && content && !meta.has(key)) meta.set(key, content);
      },
    })
    .on("title", {
      element() {
        titles++;
      },
      // Only the document's first <title> (an inline SVG's <title> later is not the page's).
      text(t) {
        if (titles === 1) title += t.text;
      },
    });
  await rewriter.transform(new Response(html, { headers: { "Content-Type": "text/html" } })).arrayBuffer();
  const first = (...keys: string[]) => {
    for (const k of keys) {
      const v = clean(meta.get(k));
      if (v) return v;
    }
    return null;
  };
  return {
    title: cut(first("og:title", "twitter:title") ?? clean(title), MAX_TITLE),
    description: cut(first("og:description", "twitter:description", "description"), MAX_DESCRIPTION),
    siteName: cut(first("og:site_name"), MAX_TITLE),
    image: absolute(first("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"), pageUrl),
  };
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function clean(text: string | undefined): string | null {
  if (!text) return null;
  const decoded = text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code = name[1]?.toLowerCase() === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
  const trimmed = decoded.replace(/\s+/g, " ").trim();
  return trimmed || null;
}

const cut = (text: string | null, max: number) => (text && text.length > max ? `${text.slice(0, max - 1)}…` : text);

function absolute(href: string | null, base: string): string | null {
  if (!href) return null;
  try {
    const url = new URL(href, base);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}
