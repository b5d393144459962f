/**
 * The push service and browser of the push tests, written apart from src/push so the two cannot
 * agree on a mistake: a subscription whose private key the test holds, the receiver's RFC 8291
 * decryption, and RFC 8292's check of the VAPID header. Pushes land in the loopback receiver
 * (test/receiver/server.mjs), which DEV_LOGIN=true lets the Worker reach over http.
 */
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { fromBase64Url, toBase64Url } from "../../src/platform/base64url";
import { type TestUser, call } from "./api";
import { type Received, receiver, receivedBy } from "./webhooks";

const enc = new TextEncoder();
const b64 = (bytes: ArrayBuffer | Uint8Array) => toBase64Url(bytes);

async function hkdf(salt: Uint8Array, ikm: ArrayBuffer | Uint8Array, info: string | Uint8Array, bytes: number) {
  const key = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info: typeof info === "string" ? enc.encode(info) : info }, key, bytes * 8));
}

/** What a browser does with a push body (RFC 8291 §3–4, RFC 8188 §2): the plaintext, as text. */
export async function decryptPush(body: Uint8Array, uaJwk: JsonWebKey, auth: Uint8Array): Promise<string> {
  const salt = body.slice(0, 16);
  const idlen = body[20]!;
  const asPublic = body.slice(21, 21 + idlen);
  const ciphertext = body.slice(21 + idlen);
  const uaPrivate = await crypto.subtle.importKey("jwk", uaJwk, { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
  const asKey = await crypto.subtle.importKey("raw", asPublic, { name: "ECDH", namedCurve: "P-256" }, false, []);
  const shared = await crypto.subtle.deriveBits(({ name: "ECDH", public: asKey }) as unknown as SubtleCryptoDeriveKeyAlgorithm, uaPrivate, 256);
  const uaPublic = Uint8Array.of(4, ...fromBase64Url(uaJwk.x!)!, ...fromBase64Url(uaJwk.y!)!);
  const info = new Uint8Array([...enc.encode("WebPush: info\0"), ...uaPublic, ...asPublic]);
  const ikm = await hkdf(auth, shared, info, 32);
  const key = await crypto.subtle.importKey("raw", await hkdf(salt, ikm, "Content-Encoding: aes128gcm\0", 16), "AES-GCM", false, ["decrypt"]);
  const plain = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: await hkdf(salt, ikm, "Content-Encoding: nonce\0", 12) }, key, ciphertext));
  let end = plain.length - 1;
  while (end > 0 && plain[end] === 0) end--; // padding
  if (plain[end] !== 2) throw new Error("not a last record: no 0x02 delimiter");
  return new TextDecoder().decode(plain.slice(0, end));
}

/** RFC 8292 §2–3 as a push service checks it; the JWT's claims, or a thrown reason. */
export async function verifyVapid(header: string | undefined, publicKey: string, audience: string) {
  const match = header?.match(/^vapid t=([\w-]+\.[\w-]+\.[\w-]+), ?k=([\w-]+)$/);
  if (!match) throw new Error(`not a vapid Authorization: ${header}`);
  const [, jwt, k] = match;
  if (k !== publicKey) throw new Error("k is not the server's public key");
  const [h, p, s] = jwt!.split(".");
  const raw = fromBase64Url(publicKey)!;
  const key = await crypto.subtle.importKey("raw", raw, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  if (!(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, fromBase64Url(s!)!, enc.encode(`${h}.${p}`)))) throw new Error("bad signature");
  const head = JSON.parse(new TextDecoder().decode(fromBase64Url(h!)));
  if (head.alg !== "ES256") throw new Error(`alg ${head.alg}`);
  const claims = JSON.parse(new TextDecoder().decode(fromBase64Url(p!))) as { aud: string; exp: number; sub: string };
  if (claims.aud !== audience) throw new Error(`aud ${claims.aud}, expected ${audience}`);
  const now = Date.now() / 1000;
  if (!(claims.exp > now && claims.exp <= now + 24 * 3600)) throw new Error(`exp ${claims.exp} not within 24 h`);
  if (!/^(mailto:|https:)/.test(claims.sub ?? "")) throw new Error(`sub ${claims.sub}`);
  return claims;
}

/** A browser's subscription: the JSON it posts, and the private half the test keeps. */
export interface Device {
  bucket: string;
  json: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
  jwk: JsonWebKey;
  auth: Uint8Array;
}

/** A new browser subscription whose pushes land in a fresh receiver bucket (`fail`/`status` as the receiver takes them). */
export async function newDevice(opts: { fail?: number; status?: number } = {}): Promise<Device> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"])) as CryptoKeyPair;
  const auth = crypto.getRandomValues(new Uint8Array(16));
  const { bucket, url } = receiver(opts);
  const p256dh = b64(await crypto.subtle.exportKey("raw", pair.publicKey) as ArrayBuffer);
  return { bucket, json: { endpoint: url, expirationTime: null, keys: { p256dh, auth: b64(auth) } }, jwk: (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey, auth };
}

/** Subscribes `device` for `user`; asserts 201. */
export async function subscribe(user: TestUser, device: Device) {
  const res = await call("POST", "/v1/push/subscriptions", { token: user.token, body: device.json });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; endpoint: string };
}

export const vapidPublicKey = async (user: TestUser) => ((await call("GET", "/v1/push/vapid-public-key", { token: user.token })).json as { public_key: string }).public_key;

/** One push as the push service saw it: headers checked (VAPID, encoding, TTL), body decrypted. */
export interface Push {
  received: Received;
  payload: { type: string; channel_id: string; message_id: string; sender_name: string; title: string; body: string };
}

/** Everything `device` has received, each checked and opened like a push service and browser would. */
export async function pushesTo(device: Device, publicKey: string): Promise<Push[]> {
  const got = (await receivedBy(device.bucket)) as (Received & { body_base64: string })[];
  return Promise.all(
    got.map(async (received) => {
      await verifyVapid(received.headers.authorization, publicKey, env.WEBHOOK_RECEIVER);
      expect(received.headers["content-encoding"]).toBe("aes128gcm");
      expect(Number(received.headers.ttl)).toBeGreaterThan(0);
      const text = await decryptPush(fromBase64Url(received.body_base64)!, device.jwk, device.auth);
      expect(enc.encode(text).length).toBeLessThanOrEqual(3072);
      return { received, payload: JSON.parse(text) };
    }),
  );
}

/** Waits until `device` got at least `n` pushes. */
export async function awaitPushes(device: Device, publicKey: string, n: number, ms = 20_000): Promise<Push[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await receivedBy(device.bucket);
    if (got.length >= n) return pushesTo(device, publicKey);
    if (Date.now() > deadline) throw new Error(`device ${device.bucket} got ${got.length} of ${n} pushes in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
