/**
 * A preview's image, copied into R2 and served from our own signed `/files` route: a reader's client
 * never contacts the linked site (its address, cookies and the time they read stay theirs). Fetched
 * under the same address rules as the page; only PNG, JPEG, GIF or WebP (checked on the bytes, not on
 * the claimed type: no SVG, which can carry script), at most 2 MB.
 */
import type { Env } from "../env";
import { signedFileUrl, sniffImage } from "../features/attachments/storage";
import { fetchPublic } from "./fetch-public";

export const IMAGE_MAX_BYTES = 2 * 1024 * 1024;
/** Preview images are copies of public pages' images: their links stay valid for a year (the signature still keeps the route from serving anything else). */
const IMAGE_URL_TTL_SECONDS = 365 * 24 * 3600;
/** The `/files` id of preview images: `lp-` and 32 hex digits (never a digit-only asset id). */
export const PREVIEW_IMAGE_ID = /^lp-[0-9a-f]{32}$/;
export const previewImageKey = (id: string) => `previews/${id.slice(3)}`;

/** The signed path of the stored copy of `imageUrl`, or null when it cannot be had. */
export async function storePreviewImage(env: Env, imageUrl: string, signal: AbortSignal): Promise<string | null> {
  const got = await fetchPublic(env, imageUrl, (t) => t.startsWith("image/"), IMAGE_MAX_BYTES + 1, signal, "image/png,image/jpeg,image/gif,image/webp");
  if ("refused" in got || got.cut) return null;
  const type = sniffImage(got.bytes.subarray(0, 16));
  if (!type) return null;
  // Named by the image's address: the same image linked by many pages is stored once.
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(got.url)));
  const id = `lp-${[...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
  await env.ATTACHMENTS.put(previewImageKey(id), got.bytes, { httpMetadata: { contentType: type } });
  // A path on this API's origin (the room that makes it does not know the origin the client used).
  // Expiring at the end of a UTC day: the same image signed twice that day (two links, two messages)
  // gets the same URL, which caches well and compares equal.
  const now = Math.floor(Date.now() / 1000);
  const ttl = IMAGE_URL_TTL_SECONDS + (86_400 - ((now + IMAGE_URL_TTL_SECONDS) % 86_400));
  return (await signedFileUrl(env, "", id, "full", ttl)).url;
}
