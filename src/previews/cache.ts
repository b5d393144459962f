/** Previews by URL for 24 h (directory table `link_preview_cache`): a link posted again within a day is not fetched again. */
import { eq, lte } from "drizzle-orm";
import { linkPreviewCache } from "../db/directory";
import type { LinkPreview } from "../db/history";
import type { Db } from "../env";

export const PREVIEW_CACHE_MS = 24 * 3600 * 1000;

/** The cached preview (null: the page gave none), or undefined when not cached or older than 24 h. */
export async function cachedPreview(db: Db, url: string, now: number): Promise<LinkPreview | null | undefined> {
  const [row] = await db.select().from(linkPreviewCache).where(eq(linkPreviewCache.url, url)).limit(1);
  if (!row || row.fetchedAt <= now - PREVIEW_CACHE_MS) return undefined;
  return row.preview ?? null;
}

export async function cachePreview(db: Db, url: string, preview: LinkPreview | null, now: number) {
  await db
    .insert(linkPreviewCache)
    .values({ url, fetchedAt: now, preview })
    .onConflictDoUpdate({ target: linkPreviewCache.url, set: { fetchedAt: now, preview } });
}

/** The hourly cron: entries past their 24 h go (they would be refetched anyway). */
export async function pruneCache(db: Db, now: number) {
  await db.delete(linkPreviewCache).where(lte(linkPreviewCache.fetchedAt, now - PREVIEW_CACHE_MS));
}
