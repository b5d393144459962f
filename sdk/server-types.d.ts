// The SDK's REST types come from the Worker's own routes (`AppType` in src/index.ts), so a program
// that checks the SDK with the DOM lib also reads src/, which is written against workers-types.
// These are the two members where workerd's SubtleCrypto is wider than the DOM lib's.
interface SubtleCrypto {
  timingSafeEqual(a: ArrayBuffer | ArrayBufferView, b: ArrayBuffer | ArrayBufferView): boolean;
  verify(algorithm: string | Algorithm, key: CryptoKey, signature: ArrayBufferView<ArrayBufferLike>, data: BufferSource): Promise<boolean>;
}
