/** Sizes and lifetimes of uploads and the URLs that serve them. */
export const MAX_DIRECT_UPLOAD = 25 * 1024 * 1024;
export const MAX_SIGNED_UPLOAD = 100 * 1024 * 1024;
/** Thumbnail sizes: the longest edge, in pixels. */
export const THUMBNAIL_SIZES = [1600, 512, 256, 128] as const;
export type FileSize = "full" | `${(typeof THUMBNAIL_SIZES)[number]}`;
export const FILE_SIZES = ["full", ...THUMBNAIL_SIZES.map(String)] as FileSize[];
export const DOWNLOAD_URL_TTL_SECONDS = 3600;
export const UPLOAD_URL_TTL_SECONDS = 300;
/** At most this many attachments per message. */
export const MAX_ATTACHMENTS = 10;
/**
 * Unused uploads a user may hold at once (not yet on a message: a live signed URL not yet PUT, bytes
 * arriving, or complete but unattached), and their bytes. Without them one user could park
 * gigabytes in R2 for the 24 h until the cron removes unused uploads. Past either: 429 UPLOAD_PENDING_LIMIT.
 */
export const MAX_PENDING_UPLOADS = 20;
export const MAX_PENDING_BYTES = 200 * 1024 * 1024;
/** Unused uploads older than this are the cron's to delete (hourly: gone within the next hour). */
export const ORPHAN_AGE_MS = 24 * 60 * 60 * 1000;
/** PUTs to signed upload URLs per owner per minute (wrangler.toml UPLOAD_RATE_LIMITER: keep in step). */
export const UPLOAD_PUTS_PER_MINUTE = 30;
