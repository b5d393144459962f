/**
 * Attachment bytes in R2: keys, streaming uploads with type sniffing, thumbnails through the
 * Images binding, and the signed URLs that serve them from the Worker's own /files route.
 */
import type { Env } from "../../env";
import { ApiError } from "../../platform/errors";
import { signUrlData, verifyUrlData } from "../../platform/signing";
import { DOWNLOAD_URL_TTL_SECONDS, type FileSize, THUMBNAIL_SIZES, UPLOAD_URL_TTL_SECONDS } from "./limits";

export const originalKey = (assetId: string) => `attachments/${assetId}/original`;
export const thumbnailKey = (assetId: string, size: string) => `attachments/${assetId}/${size}.webp`;
/** Every key an asset can have, for deletion. */
export const allKeys = (assetId: string) => [originalKey(assetId), ...THUMBNAIL_SIZES.map((s) => thumbnailKey(assetId, String(s)))];

/** The image type the bytes say, whatever the client claimed. */
export function sniffImage(head: Uint8Array): string | undefined {
  const ascii = (from: number, to: number) => String.fromCharCode(...head.slice(from, to));
  if (head[0] === 0x89 && ascii(1, 4) === "PNG" && head[4] === 0x0d && head[5] === 0x0a) return "image/png";
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "image/jpeg";
  if (ascii(0, 6) === "GIF87a" || ascii(0, 6) === "GIF89a") return "image/gif";
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "image/webp";
  return undefined;
}

const tooLarge = (max: number) => new ApiError("PAYLOAD_TOO_LARGE", `Uploads are limited to ${max} bytes`);

/**
 * Streams a body into R2 while keeping its first bytes for sniffing. With a known length the bytes
 * never sit in memory; without one (chunked) they are buffered up to `max`.
 */
export async function storeOriginal(env: Env, assetId: string, body: ReadableStream<Uint8Array>, length: number | undefined, max: number) {
  let head = new Uint8Array(0);
  let seen = 0;
  const watch = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > max) throw tooLarge(max);
      if (head.byteLength < 32) head = concat(head, chunk.slice(0, 32 - head.byteLength));
      controller.enqueue(chunk);
    },
  });
  const watched = body.pipeThrough(watch);
  const value = length === undefined ? await new Response(watched).arrayBuffer() : watched.pipeThrough(new FixedLengthStream(length));
  try {
    await env.ATTACHMENTS.put(originalKey(assetId), value);
    return { size: seen, head };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (seen > max) throw tooLarge(max);
    throw new ApiError("VALIDATION_FAILED", "The upload ended early or did not match its Content-Length");
  }
}

function concat(a: Uint8Array, b: Uint8Array) {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/** What the stored bytes are: an image (with its size, via the Images binding) or a plain file. */
export async function describeStored(env: Env, assetId: string, head: Uint8Array) {
  const imageType = sniffImage(head);
  if (!imageType) return { isImage: false as const };
  const object = await env.ATTACHMENTS.get(originalKey(assetId));
  try {
    const info = await env.IMAGES.info(object!.body);
    if ("width" in info) return { isImage: true as const, contentType: imageType, width: info.width, height: info.height };
  } catch {
    // Magic bytes but not decodable: it is stored and served as a plain file.
  }
  return { isImage: false as const };
}

/** A stored original's size and first bytes, in one ranged read (uploads that came through a signed PUT). */
export async function readHead(env: Env, assetId: string) {
  const object = await env.ATTACHMENTS.get(originalKey(assetId), { range: { offset: 0, length: 32 } });
  return object ? { size: object.size, head: new Uint8Array(await object.arrayBuffer()) } : undefined;
}

/** A thumbnail (longest edge `size`, WebP, never upscaled), made once and kept in R2 beside the original. */
export async function thumbnail(env: Env, assetId: string, size: number): Promise<{ body: ReadableStream | ArrayBuffer; httpEtag: string } | null> {
  const key = thumbnailKey(assetId, String(size));
  const cached = await env.ATTACHMENTS.get(key);
  if (cached) return cached;
  const original = await env.ATTACHMENTS.get(originalKey(assetId));
  if (!original) return null;
  let body: ArrayBuffer;
  try {
    const result = await env.IMAGES.input(original.body)
      .transform({ width: size, height: size, fit: "scale-down" })
      .output({ format: "image/webp" });
    body = await result.response().arrayBuffer();
  } catch {
    // Dimensions could be read but the pixels cannot be decoded: there is no thumbnail to give.
    throw new ApiError("CHAT_ATTACHMENT_NOT_FOUND", "No thumbnail can be made of this image; use size=full");
  }
  const stored = await env.ATTACHMENTS.put(key, body, { httpMetadata: { contentType: "image/webp" } });
  return { body, httpEtag: stored!.httpEtag };
}

/** R2 deletes at most 1,000 keys per call: this many assets' keys (see allKeys) fit in one. */
const ASSETS_PER_DELETE = Math.floor(1000 / allKeys("0").length);

/** Every object of these assets (original and thumbnails); missing keys are no error. */
export async function deleteObjects(env: Env, assetIds: string[]) {
  for (let i = 0; i < assetIds.length; i += ASSETS_PER_DELETE) {
    await env.ATTACHMENTS.delete(assetIds.slice(i, i + ASSETS_PER_DELETE).flatMap(allKeys));
  }
}

const fileData = (assetId: string, size: string, exp: number) => `file:${assetId}:${size}:${exp}`;
const uploadData = (assetId: string, exp: number) => `upload:${assetId}:${exp}`;

/** A download URL on this Worker's origin, valid for an hour (or `ttlSeconds`). */
export async function signedFileUrl(env: Env, origin: string, assetId: string, size: FileSize, ttlSeconds = DOWNLOAD_URL_TTL_SECONDS) {
  const expires_at = Math.floor(Date.now() / 1000) + ttlSeconds;
  const sig = await signUrlData(env.FILE_URL_SECRET, fileData(assetId, size, expires_at));
  return { url: `${origin}/files/${assetId}/${size}?exp=${expires_at}&sig=${sig}`, expires_at };
}

export const verifyFileUrl = (env: Env, assetId: string, size: string, exp: number, sig?: string) =>
  verifyUrlData(env.FILE_URL_SECRET, fileData(assetId, size, exp), sig, exp);

/** A one-time PUT URL for a pending upload, valid 5 minutes. */
export async function signedUploadUrl(env: Env, origin: string, assetId: string) {
  const expires_at = Math.floor(Date.now() / 1000) + UPLOAD_URL_TTL_SECONDS;
  const sig = await signUrlData(env.FILE_URL_SECRET, uploadData(assetId, expires_at));
  return { url: `${origin}/uploads/${assetId}?exp=${expires_at}&sig=${sig}`, expires_at };
}

export const verifyUploadUrl = (env: Env, assetId: string, exp: number, sig?: string) =>
  verifyUrlData(env.FILE_URL_SECRET, uploadData(assetId, exp), sig, exp);
