/**
 * Export parts in R2 and the signed URLs that serve them from this Worker (`/exports/{id}/{part}`),
 * signed like attachment downloads but over their own data prefix, so neither kind of link can be
 * turned into the other.
 */
import type { Env } from "../../env";
import { signUrlData, verifyUrlData } from "../../platform/signing";

/** Download links last a day: an export of a big channel has many parts to fetch. */
export const EXPORT_URL_TTL_SECONDS = 24 * 60 * 60;

/** Parts are numbered from 1, zero-padded so an R2 listing sorts them in order. */
export const partKey = (exportId: string, part: number) => `exports/${exportId}/part-${String(part).padStart(5, "0")}.ndjson`;

const partData = (exportId: string, part: number, exp: number) => `export:${exportId}:${part}:${exp}`;

/** Signed URLs of parts 1..parts, all with the same expiry. */
export async function signedPartUrls(env: Env, origin: string, exportId: string, parts: number, ttlSeconds = EXPORT_URL_TTL_SECONDS) {
  const expires_at = Math.floor(Date.now() / 1000) + ttlSeconds;
  const urls: string[] = [];
  for (let part = 1; part <= parts; part++) {
    const sig = await signUrlData(env.FILE_URL_SECRET, partData(exportId, part, expires_at));
    urls.push(`${origin}/exports/${exportId}/${part}?exp=${expires_at}&sig=${sig}`);
  }
  return { urls, expires_at };
}

export const verifyPartUrl = (env: Env, exportId: string, part: number, exp: number, sig?: string) =>
  verifyUrlData(env.FILE_URL_SECRET, partData(exportId, part, exp), sig, exp);
