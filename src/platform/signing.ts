/** HMAC-SHA256 signatures for URLs the Worker serves itself (downloads, one-time uploads). */
import { fromBase64Url, toBase64Url } from "./base64url";

const encoder = new TextEncoder();

async function key(secret: string) {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

export async function signUrlData(secret: string, data: string): Promise<string> {
  return toBase64Url(await crypto.subtle.sign("HMAC", await key(secret), encoder.encode(data)));
}

/** Constant-time (crypto.subtle.verify) check of a signature and its expiry (unix seconds). */
export async function verifyUrlData(secret: string, data: string, signature: string | undefined, expires: number): Promise<boolean> {
  if (!signature || !Number.isInteger(expires) || expires < Date.now() / 1000) return false;
  const bytes = /^[A-Za-z0-9_-]{43}$/.test(signature) ? fromBase64Url(signature) : undefined;
  return bytes !== undefined && crypto.subtle.verify("HMAC", await key(secret), bytes, encoder.encode(data));
}
