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
