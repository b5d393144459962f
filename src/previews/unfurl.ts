/**
 * Previews of a message's links (DESIGN §18): each from the 24 h cache or fetched (page, then its
 * image), in parallel, each within 4 s. Plain arguments: the room calls it after a send's flush, a
 * reply's insert, or an edit that changed the links (src/room/previews.ts).
 */
import type { LinkPreview } from "../db/history";
import type { Db, Env } from "../env";
import { cachePreview, cachedPreview } from "./cache";
import { FETCH_TIMEOUT_MS, PAGE_MAX_BYTES, fetchPublic } from "./fetch-public";
import { storePreviewImage } from "./image";
import { readMeta } from "./parse";

/** The previews of `links`, in their order; links that give none are left out. */
export async function previewsFor(env: Env, db: Db, links: string[]): Promise<LinkPreview[]> {
  const found = await Promise.all(links.map((url) => previewOf(env, db, url)));
  return found.filter((p): p is LinkPreview => p !== null);
}

async function previewOf(env: Env, db: Db, url: string): Promise<LinkPreview | null> {
  const now = Date.now();
  const cached = await cachedPreview(db, url, now).catch(() => undefined);
  if (cached !== undefined) return cached;
  const preview = await fetchPreview(env, url);
  await cachePreview(db, url, preview, now).catch((err) => console.error(JSON.stringify({ level: "warn", previews: "cache", error: String(err) })));
  return preview;
}

/** One link, fetched now: null when refused, not HTML, too slow, or without anything to show. */
export async function fetchPreview(env: Env, url: string): Promise<LinkPreview | null> {
  const page = await fetchPublic(env, url, (t) => t === "text/html" || t === "application/xhtml+xml", PAGE_MAX_BYTES, AbortSignal.timeout(FETCH_TIMEOUT_MS), "text/html");
  if ("refused" in page) {
    if (env.LOG_LEVEL !== "silent") console.log(JSON.stringify({ level: "info", previews: "no preview", url, reason: page.refused }));
    return null;
  }
  const meta = await readMeta(page.bytes, page.url);
  if (!meta.title && !meta.description && !meta.image) return null;
  // The image has its own 4 s: a slow page does not also starve its image.
  const image = meta.image ? await storePreviewImage(env, meta.image, AbortSignal.timeout(FETCH_TIMEOUT_MS)).catch(() => null) : null;
  return { url, title: meta.title, description: meta.description, site_name: meta.siteName, image_url: image };
}
