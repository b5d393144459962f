/**
 * The pseudonym of an erased user (DESIGN §17): `erased_` and 20 hex digits of an HMAC of the id
 * under FILE_URL_SECRET. Stable (the same id always gives the same pseudonym, so a later token for
 * the same `sub` is recognised and refused) and, unlike a plain hash, not reversible by hashing a
 * list of likely ids (e-mail addresses) without the secret. Rotating FILE_URL_SECRET changes every
 * pseudonym: erased users' later tokens would then be accepted as new, empty accounts (docs/retention.md).
 */
const encoder = new TextEncoder();

export const PSEUDONYM_PREFIX = "erased_";

export async function pseudonymOf(secret: string, userId: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`erasure:${userId}`)));
  return PSEUDONYM_PREFIX + [...mac.slice(0, 10)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
