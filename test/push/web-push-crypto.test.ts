// RFC 8291's own example (§5, Appendix A), byte for byte, and the VAPID key and JWT of RFC 8292.
import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "../../src/platform/base64url";
import { encryptPayload, subscriptionKeys, vapidAuthorization, vapidKeys } from "../../src/push/web-push-crypto";
import { decryptPush, verifyVapid } from "../helpers/push";

const RFC = {
  plaintext: "When I grow up, I want to be a watermelon",
  uaPublic: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
  uaPrivate: "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94",
  auth: "BTBZMqHH6r4Tts7J_aSIgg",
  asPublic: "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8",
  asPrivate: "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw",
  salt: "DGv6ra1nlYgDCS1FRnbzlw",
  body: "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
};

const b = (s: string) => fromBase64Url(s) as Uint8Array<ArrayBuffer>;
const jwkOf = (pub: string, d: string): JsonWebKey => ({ kty: "EC", crv: "P-256", x: toBase64Url(b(pub).slice(1, 33)), y: toBase64Url(b(pub).slice(33)), d });

describe("RFC 8291 aes128gcm", () => {
  it("encrypts the RFC's example to the RFC's body", async () => {
    const privateKey = await crypto.subtle.importKey("jwk", jwkOf(RFC.asPublic, RFC.asPrivate), { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
    const keys = subscriptionKeys(RFC.uaPublic, RFC.auth)!;
    const body = await encryptPayload(keys.publicKey, keys.authSecret, new TextEncoder().encode(RFC.plaintext), { privateKey, publicKey: b(RFC.asPublic), salt: b(RFC.salt) });
    expect(toBase64Url(body)).toBe(RFC.body);
  });

  it("the receiver's decryption (the test push service's) reads the RFC's body", async () => {
    const text = await decryptPush(b(RFC.body), jwkOf(RFC.uaPublic, RFC.uaPrivate), b(RFC.auth));
    expect(text).toBe(RFC.plaintext);
  });

  it("a fresh key pair and salt per message: two encryptions differ and both decrypt", async () => {
    const keys = subscriptionKeys(RFC.uaPublic, RFC.auth)!;
    const one = await encryptPayload(keys.publicKey, keys.authSecret, new TextEncoder().encode("hi"));
    const two = await encryptPayload(keys.publicKey, keys.authSecret, new TextEncoder().encode("hi"));
    expect(toBase64Url(one)).not.toBe(toBase64Url(two));
    for (const body of [one, two]) expect(await decryptPush(body, jwkOf(RFC.uaPublic, RFC.uaPrivate), b(RFC.auth))).toBe("hi");
  });

  it("refuses keys that are not a P-256 point and a 16-octet secret", () => {
    expect(subscriptionKeys("AAAA", RFC.auth)).toBeUndefined();
    expect(subscriptionKeys(RFC.uaPublic, "AAAA")).toBeUndefined();
    expect(subscriptionKeys(RFC.uaPublic.replace(/^B/, "A"), RFC.auth)).toBeUndefined();
  });
});

describe("RFC 8292 VAPID", () => {
  it("derives the public key from the private scalar alone", async () => {
    // The RFC 8291 sender pair is as good a P-256 pair as any.
    const keys = await vapidKeys(RFC.asPrivate);
    expect(keys?.publicKey).toBe(RFC.asPublic);
    expect(await vapidKeys("not a key")).toBeUndefined();
  });

  it("signs a JWT the push service verifies with the public key: aud = the endpoint's origin, exp within 24 h, sub", async () => {
    const keys = (await vapidKeys(RFC.asPrivate))!;
    const header = await vapidAuthorization(keys, "https://push.example.net/send/abc?x=1", "mailto:ops@example.com");
    const claims = await verifyVapid(header, RFC.asPublic, "https://push.example.net");
    expect(claims.sub).toBe("mailto:ops@example.com");
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
    expect(claims.exp).toBeLessThanOrEqual(Date.now() / 1000 + 24 * 3600);
    await expect(verifyVapid(header, RFC.asPublic, "https://other.example.net")).rejects.toThrow(/aud/);
    const forged = header.replace(/\.([\w-]+), k=/, (_, sig: string) => `.${sig.startsWith("A") ? "B" : "A"}${sig.slice(1)}, k=`);
    await expect(verifyVapid(forged, RFC.asPublic, "https://push.example.net")).rejects.toThrow(/signature/);
  });
});
