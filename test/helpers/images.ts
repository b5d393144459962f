import { env } from "cloudflare:test";

/** CRC-32 as PNG chunks need it. */
function crc32(bytes: Uint8Array) {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type: string, data: Uint8Array) {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A real RGB PNG of the given size (a gradient), encoded here with zlib from CompressionStream. */
export async function makePng(width: number, height: number): Promise<Uint8Array> {
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    for (let x = 0; x < width; x++) raw.set([(x * 255) / width, (y * 255) / height, 128], row + 1 + x * 3);
  }
  const zlib = new Uint8Array(await new Response(new Blob([raw]).stream().pipeThrough(new CompressionStream("deflate"))).arrayBuffer());
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", zlib), chunk("IEND", new Uint8Array())];
  return new Uint8Array(await new Blob(parts).arrayBuffer());
}

/** The same picture re-encoded (JPEG, WebP) by the Images binding. */
export async function convert(png: Uint8Array, format: "image/jpeg" | "image/webp") {
  const result = await env.IMAGES.input(new Blob([png]).stream()).output({ format });
  return new Uint8Array(await result.response().arrayBuffer());
}

/** Width and height as the Images binding reads them. */
export async function dimensions(bytes: Uint8Array) {
  const info = await env.IMAGES.info(new Blob([bytes]).stream());
  return "width" in info ? { width: info.width, height: info.height, format: info.format } : { format: info.format };
}
