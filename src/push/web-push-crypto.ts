/**
 * Web Push on WebCrypto alone: the payload encryption of RFC 8291 (`aes128gcm`, RFC 8188, one
 * record) and the VAPID signature of RFC 8292 (an ES256 JWT). Written here because the
 * Workers-ready packages found send the pre-RFC `aesgcm` encoding, and `web-push` needs Node's
 * crypto; checked against RFC 8291's own example (test/push/web-push-crypto.test.ts).
 */
import { fromBase64Url, toBase64Url } from "../platform/base64url";

const enc = new TextEncoder();
/** Bytes WebCrypto takes (TypeScript 5.9 tells ArrayBuffer-backed arrays from shared ones). */
type Bytes = Uint8Array<ArrayBuffer>;
const bytesOf = (text: string) => fromBase64Url(text) as Bytes | undefined;
const P256 = { name: "ECDH", namedCurve: "P-256" } as const;
/** One record holds the whole payload (push services accept at most 4096 octets of body anyway). */
const RECORD_SIZE = 4096;

/** The standard `public` member; workers-types spells it `$public`, workerd reads `public`. */
const ecdh = (publicKey: CryptoKey) => ({ name: "ECDH", public: publicKey }) as unknown as SubtleCryptoDeriveKeyAlgorithm;

const concat = (...parts: Uint8Array[]): Bytes => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
};

async function hkdf(salt: Bytes, ikm: Bytes | ArrayBuffer, info: Bytes, bytes: number): Promise<Bytes> {
  const key = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, key, bytes * 8));
}

/** The browser's keys of a subscription, checked: a 65-octet uncompressed P-256 point and a 16-octet secret. */
export function subscriptionKeys(p256dh: string, auth: string): { publicKey: Bytes; authSecret: Bytes } | undefined {
  const publicKey = bytesOf(p256dh);
  const authSecret = bytesOf(auth);
  if (publicKey?.length !== 65 || publicKey[0] !== 4 || authSecret?.length !== 16) return undefined;
  return { publicKey, authSecret };
}

/** A sender key pair fixed by the caller (RFC 8291's example); normally a fresh one per message. */
export interface FixedSender {
  privateKey: CryptoKey;
  publicKey: Bytes;
  salt: Bytes;
}

/**
 * Encrypts `plaintext` for one subscription (RFC 8291 §3–4): ECDH between a per-message key pair and
 * the browser's key, mixed with its auth secret, gives the content key and nonce; the body is
 * `salt ‖ rs ‖ idlen ‖ sender public key ‖ AES-128-GCM(plaintext ‖ 0x02)`.
 */
export async function encryptPayload(uaPublic: Bytes, authSecret: Bytes, plaintext: Uint8Array, fixed?: FixedSender): Promise<Bytes> {
  let senderPrivate = fixed?.privateKey;
  let senderPublic = fixed?.publicKey;
  if (!senderPrivate || !senderPublic) {
    const pair = (await crypto.subtle.generateKey(P256, true, ["deriveBits"])) as CryptoKeyPair;
    senderPrivate = pair.privateKey;
    senderPublic = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  }
  const salt = fixed?.salt ?? crypto.getRandomValues(new Uint8Array(16));
  const uaKey = await crypto.subtle.importKey("raw", uaPublic, P256, false, []);
  const ecdhSecret = await crypto.subtle.deriveBits(ecdh(uaKey), senderPrivate, 256);
  const keyInfo = concat(enc.encode("WebPush: info\0"), uaPublic, senderPublic);
  const ikm = await hkdf(authSecret, ecdhSecret, keyInfo, 32);
  const cek = await hkdf(salt, ikm, concat(enc.encode("Content-Encoding: aes128gcm\0")), 16);
  const nonce = await hkdf(salt, ikm, concat(enc.encode("Content-Encoding: nonce\0")), 12);
  const aes = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["encrypt"]);
  // The last (only) record ends with the delimiter 0x02 and carries no padding.
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce }, aes, concat(plaintext, Uint8Array.of(2))));
  const header = new Uint8Array(21);
  header.set(salt, 0);
  new DataView(header.buffer).setUint32(16, RECORD_SIZE);
  header[20] = senderPublic.length;
  return concat(header, senderPublic, ciphertext);
}

/** A VAPID key pair: the signing key, and the public key as the browser's `applicationServerKey`. */
export interface VapidKeys {
  privateKey: CryptoKey;
  /** base64url of the 65-octet uncompressed point. */
  publicKey: string;
}

/** PKCS#8 wrapping of a bare P-256 scalar (no public key): the one import WebCrypto offers for it. */
const PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x41, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04,
  0x27, 0x30, 0x25, 0x02, 0x01, 0x01, 0x04, 0x20,
]);

/**
 * The VAPID keys from `VAPID_PRIVATE_KEY`: the 32-octet private scalar in base64url (what
 * `web-push generate-vapid-keys` prints as the private key). The public key is derived from it, so
 * one secret is all there is to keep. Undefined when the value is not such a key.
 */
export async function vapidKeys(privateKeyText: string): Promise<VapidKeys | undefined> {
  const d = bytesOf(privateKeyText.trim());
  if (d?.length !== 32) return undefined;
  try {
    const imported = await crypto.subtle.importKey("pkcs8", concat(PKCS8_PREFIX, d), { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
    // The import computes the public point; the JWK export shows it.
    const jwk = (await crypto.subtle.exportKey("jwk", imported)) as JsonWebKey;
    const x = fromBase64Url(jwk.x ?? "");
    const y = fromBase64Url(jwk.y ?? "");
    if (x?.length !== 32 || y?.length !== 32) return undefined;
    const privateKey = await crypto.subtle.importKey("jwk", { ...jwk, key_ops: ["sign"], ext: false }, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    return { privateKey, publicKey: toBase64Url(concat(Uint8Array.of(4), x, y)) };
  } catch {
    return undefined;
  }
}

const jsonPart = (value: unknown) => toBase64Url(enc.encode(JSON.stringify(value)));

/**
 * The `Authorization` header of RFC 8292 §3: `vapid t=<JWT>, k=<public key>`, the JWT signed with
 * ES256 (WebCrypto's ECDSA signature is already the JWS `r ‖ s` form), `aud` = the push service's
 * origin, `exp` at most 24 h ahead (12 h here, so a clock running a little fast stays inside).
 */
export async function vapidAuthorization(keys: VapidKeys, endpoint: string, subject: string, now = Date.now()): Promise<string> {
  const claims = { aud: new URL(endpoint).origin, exp: Math.floor(now / 1000) + 12 * 3600, sub: subject };
  const unsigned = `${jsonPart({ typ: "JWT", alg: "ES256" })}.${jsonPart(claims)}`;
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, keys.privateKey, enc.encode(unsigned));
  return `vapid t=${unsigned}.${toBase64Url(signature)}, k=${keys.publicKey}`;
}
