import { createScheduledController, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { scheduled } from "../../src/scheduled";
import { originalKey, thumbnailKey } from "../../src/features/attachments/storage";
import { signUrlData } from "../../src/platform/signing";
import { call, createChannel, expectError, fetchUrl, newUser, send, upload } from "../helpers/api";
import { convert, dimensions, makePng } from "../helpers/images";

const text = (s: string) => new TextEncoder().encode(s);

async function setup() {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const group = await createChannel(alice, { type: "group", name: "Files", member_ids: [bob.id] });
  return { alice, bob, group };
}

async function uploaded(user: Parameters<typeof upload>[0], bytes: Uint8Array, type?: string, name?: string) {
  const res = await upload(user, bytes, type, name);
  expect(res.status).toBe(201);
  return res.json as { asset_id: string; filename: string; content_type: string; size_bytes: number; width?: number; height?: number };
}

describe("uploads", () => {
  it("stores a PNG and reports its real type and size", async () => {
    const { alice } = await setup();
    const png = await makePng(300, 200);
    const res = await upload(alice, png, "image/png", "photo.png");
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ asset_id: expect.stringMatching(/^\d{19}$/), filename: "photo.png", content_type: "image/png", size_bytes: png.byteLength, width: 300, height: 200 });
    const stored = await env.ATTACHMENTS.get(originalKey(res.json.asset_id));
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(png);
  });

  it("accepts multipart uploads and decides the type from the bytes, not the header", async () => {
    const { alice } = await setup();
    const jpeg = await convert(await makePng(64, 48), "image/jpeg");
    const form = new FormData();
    form.append("file", new File([jpeg], "camera.jpg", { type: "application/octet-stream" }));
    const res = await call("POST", "/v1/attachments", { token: alice.token, rawBody: form });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ filename: "camera.jpg", content_type: "image/jpeg", width: 64, height: 48 });
    const webp = await uploaded(alice, await convert(await makePng(10, 20), "image/webp"), "text/plain", "x.webp");
    expect(webp).toMatchObject({ content_type: "image/webp", width: 10, height: 20 });
  });

  it("stores a file that only claims to be an image as a plain file", async () => {
    const { alice } = await setup();
    const fake = await uploaded(alice, text("definitely not a png"), "image/png", "fake.png");
    expect(fake.content_type).toBe("application/octet-stream");
    expect(fake.width).toBeUndefined();
    const pdf = await uploaded(alice, text("%PDF-1.7 …"), "application/pdf", "../../etc/report.pdf");
    expect(pdf).toMatchObject({ content_type: "application/pdf", filename: "report.pdf" });
    const truncated = await uploaded(alice, (await makePng(50, 50)).slice(0, 40), "image/png");
    expect(truncated.width).toBeUndefined();
  });

  it("refuses empty bodies and anything over 25 MiB (413), storing nothing", async () => {
    const { alice } = await setup();
    expectError(await upload(alice, new Uint8Array()), 400, "VALIDATION_FAILED");
    expectError(await upload(alice, new Uint8Array(25 * 1024 * 1024 + 65 * 1024)), 413, "PAYLOAD_TOO_LARGE");
    const form = new FormData();
    form.append("other", "x");
    expectError(await call("POST", "/v1/attachments", { token: alice.token, rawBody: form }), 400, "VALIDATION_FAILED");
    expectError(await call("POST", "/v1/attachments", { rawBody: text("x") }), 401, "AUTH_REQUIRED");
  });

  it("takes large files through a one-time signed PUT URL, then complete", async () => {
    const { alice, bob } = await setup();
    const png = await makePng(120, 90);
    const start = await call("POST", "/v1/attachments/uploads", { token: alice.token, body: { filename: "big.png", content_type: "image/png", size_bytes: png.byteLength } });
    expect(start.status).toBe(201);
    const { asset_id, upload_url } = start.json;
    expect(start.json.expires_at - Date.now() / 1000).toBeLessThanOrEqual(300);
    expectError(await call("POST", `/v1/attachments/${asset_id}/complete`, { token: alice.token }), 400, "VALIDATION_FAILED");
    const wrongSize = await fetchUrl(upload_url, { method: "PUT", body: png.slice(1), headers: { "Content-Length": String(png.byteLength - 1) } });
    expect(wrongSize.status).toBe(400);
    const tampered = await fetchUrl(upload_url.replace(/sig=./, "sig=A"), { method: "PUT", body: png });
    expect(tampered.status).toBe(403);
    const put = await fetchUrl(upload_url, { method: "PUT", body: png, headers: { "Content-Length": String(png.byteLength) } });
    expect(put.status).toBe(200);
    expect((await fetchUrl(upload_url, { method: "PUT", body: png, headers: { "Content-Length": String(png.byteLength) } })).status).toBe(409);
    expectError(await call("POST", `/v1/attachments/${asset_id}/complete`, { token: bob.token }), 404, "CHAT_ATTACHMENT_NOT_FOUND");
    const done = await call("POST", `/v1/attachments/${asset_id}/complete`, { token: alice.token });
    expect(done.status).toBe(200);
    expect(done.json).toEqual({ asset_id, filename: "big.png", content_type: "image/png", size_bytes: png.byteLength, width: 120, height: 90 });
    expectError(await call("POST", "/v1/attachments/uploads", { token: alice.token, body: { filename: "x", size_bytes: 200 * 1024 * 1024 } }), 413, "PAYLOAD_TOO_LARGE");
  });
});

describe("attachments on messages", () => {
  it("fills attachment facts from the upload, never from the client", async () => {
    const { alice, group } = await setup();
    const png = await uploaded(alice, await makePng(40, 30), "image/png", "pic.png");
    const msg = await send(alice, group.id, { body: "", attachments: [{ asset_id: png.asset_id, filename: "evil.exe", size_bytes: 1, content_type: "x/y" }] });
    expect(msg.attachments).toEqual([{ asset_id: png.asset_id, filename: "pic.png", content_type: "image/png", size_bytes: png.size_bytes, width: 40, height: 30 }]);
  });

  it("allows many images but one other file, at most 10, each once, only your own completed uploads", async () => {
    const { alice, bob, group } = await setup();
    const path = `/v1/channels/${group.id}/messages`;
    const images = [];
    for (let i = 0; i < 11; i++) images.push((await uploaded(alice, await makePng(4 + i, 4), "image/png")).asset_id);
    const files = [(await uploaded(alice, text("a"), "text/plain")).asset_id, (await uploaded(alice, text("b"), "text/plain")).asset_id];
    const post = (ids: string[], user = alice) => call("POST", path, { token: user.token, body: { body: "x", attachments: ids.map((asset_id) => ({ asset_id })) } });
    expectError(await post(images), 400, "VALIDATION_FAILED");
    expectError(await post(files), 400, "VALIDATION_FAILED");
    expectError(await post([images[0]!, images[0]!]), 400, "VALIDATION_FAILED");
    expectError(await post([images[0]!], bob), 404, "CHAT_ATTACHMENT_NOT_FOUND");
    expectError(await post(["1234567890123456789"]), 404, "CHAT_ATTACHMENT_NOT_FOUND");
    const pending = (await call("POST", "/v1/attachments/uploads", { token: alice.token, body: { filename: "p", size_bytes: 5 } })).json.asset_id;
    expectError(await post([pending]), 404, "CHAT_ATTACHMENT_NOT_FOUND");
    const ok = await post([...images.slice(0, 9), files[0]!]);
    expect(ok.status).toBe(201);
    expect(ok.json.attachments).toHaveLength(10);
    expectError(await post([images[0]!]), 409, "CHAT_ATTACHMENT_IN_USE");
    expect((await call("GET", path, { token: alice.token })).json.messages).toHaveLength(1);
  });

  it("uses an upload once even when two sends race for it", async () => {
    const { alice, group } = await setup();
    const asset = (await uploaded(alice, text("race"), "text/plain")).asset_id;
    const results = await Promise.all(
      [1, 2, 3].map(() => call("POST", `/v1/channels/${group.id}/messages`, { token: alice.token, body: { body: "x", attachments: [{ asset_id: asset }] } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });
});

describe("signed URLs and serving", () => {
  async function withMessage(bytes: Uint8Array, type: string, name: string) {
    const ctx = await setup();
    const asset = await uploaded(ctx.alice, bytes, type, name);
    const msg = await send(ctx.alice, ctx.group.id, { body: "see", attachments: [{ asset_id: asset.asset_id }] });
    const urlOf = async (size = "full", user = ctx.bob) =>
      call("GET", `/v1/channels/${ctx.group.id}/messages/${msg.id}/attachments/${asset.asset_id}/url?size=${size}`, { token: user.token });
    return { ...ctx, asset, msg, urlOf };
  }

  it("serves the original byte-exact with type, disposition, ETag and caching; ranges give 206", async () => {
    const pdf = text("%PDF-1.4 0123456789 abcdefghij");
    const { urlOf } = await withMessage(pdf, "application/pdf", "report 1.pdf");
    const res = await urlOf();
    expect(res.status).toBe(200);
    expect(res.json.url).toMatch(/^http:\/\/api\.test\/files\/\d{19}\/full\?exp=\d+&sig=/);
    expect(res.json.expires_at - Date.now() / 1000).toBeGreaterThan(3500);
    const file = await fetchUrl(res.json.url);
    expect(file.status).toBe(200);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(pdf);
    expect(file.headers.get("Content-Type")).toBe("application/pdf");
    expect(file.headers.get("Content-Disposition")).toBe("attachment; filename*=UTF-8''report%201.pdf");
    expect(file.headers.get("Cache-Control")).toMatch(/^private, max-age=\d+$/);
    const etag = file.headers.get("ETag")!;
    expect(etag).toBeTruthy();
    expect((await fetchUrl(res.json.url, { headers: { "If-None-Match": etag } })).status).toBe(304);

    const part = await fetchUrl(res.json.url, { headers: { Range: "bytes=9-18" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("Content-Range")).toBe(`bytes 9-18/${pdf.byteLength}`);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(pdf.slice(9, 19));
    const tail = await fetchUrl(res.json.url, { headers: { Range: "bytes=-5" } });
    expect(new TextDecoder().decode(await tail.arrayBuffer())).toBe("fghij");
    const beyond = await fetchUrl(res.json.url, { headers: { Range: `bytes=${pdf.byteLength}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("Content-Range")).toBe(`bytes */${pdf.byteLength}`);
  });

  it("makes WebP thumbnails by the longest edge, never upscaled, once, kept in R2", async () => {
    const png = await makePng(2000, 1000);
    const { asset, urlOf } = await withMessage(png, "image/png", "wide.png");
    const expected: Record<string, [number, number]> = { "1600": [1600, 800], "512": [512, 256], "256": [256, 128], "128": [128, 64] };
    for (const [size, [w, h]] of Object.entries(expected)) {
      const res = await fetchUrl((await urlOf(size)).json.url);
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("image/webp");
      expect(await dimensions(new Uint8Array(await res.arrayBuffer()))).toEqual({ width: w, height: h, format: "image/webp" });
      expect(await env.ATTACHMENTS.head(thumbnailKey(asset.asset_id, size))).not.toBeNull();
    }
    const original = await fetchUrl((await urlOf("full")).json.url);
    expect(original.headers.get("Content-Disposition")).toBe("inline; filename*=UTF-8''wide.png");
    expect(new Uint8Array(await original.arrayBuffer())).toEqual(png);

    const small = await withMessage(await convert(await makePng(300, 200), "image/jpeg"), "image/jpeg", "small.jpg");
    const thumb = await fetchUrl((await small.urlOf("512")).json.url);
    expect(await dimensions(new Uint8Array(await thumb.arrayBuffer()))).toEqual({ width: 300, height: 200, format: "image/webp" });
  });

  it("refuses tampered, swapped or expired signatures (403) and thumbnails of non-images (400)", async () => {
    const { asset, urlOf } = await withMessage(await makePng(20, 20), "image/png", "a.png");
    const { url } = (await urlOf("128")).json;
    for (const bad of [url.replace(/sig=(.)/, (_m: string, ch: string) => `sig=${ch === "A" ? "B" : "A"}`), url.replace("/128?", "/256?"), url.replace(/exp=\d+/, "exp=9999999999"), url.split("&sig")[0]]) {
      const res = await fetchUrl(bad);
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error.code).toBe("FILE_SIGNATURE_INVALID");
    }
    const past = Math.floor(Date.now() / 1000) - 1;
    const sig = await signUrlData(env.FILE_URL_SECRET, `file:${asset.asset_id}:full:${past}`);
    expect((await fetchUrl(`http://api.test/files/${asset.asset_id}/full?exp=${past}&sig=${sig}`)).status).toBe(403);

    const doc = await withMessage(text("plain"), "text/plain", "a.txt");
    expectError(await doc.urlOf("512"), 400, "VALIDATION_FAILED");
    expectError(await doc.urlOf("999"), 400, "VALIDATION_FAILED");
  });

  it("gives URLs only to members, and only for attachments of that message", async () => {
    const { alice, group, msg, urlOf } = await withMessage(text("secret"), "text/plain", "s.txt");
    const outsider = await newUser();
    expectError(await urlOf("full", outsider), 404, "CHAT_CHANNEL_NOT_FOUND");
    const other = await send(alice, group.id, "no files");
    expectError(await call("GET", `/v1/channels/${group.id}/messages/${other.id}/attachments/${msg.attachments && (msg.attachments as any)[0].asset_id}/url`, { token: alice.token }), 404, "CHAT_ATTACHMENT_NOT_FOUND");
  });

  it("deletes the bytes (original and thumbnails) with the message", async () => {
    const { alice, group, msg, asset, urlOf } = await withMessage(await makePng(64, 64), "image/png", "gone.png");
    const thumbUrl = (await urlOf("128")).json.url;
    expect((await fetchUrl(thumbUrl)).status).toBe(200);
    expect((await call("DELETE", `/v1/channels/${group.id}/messages/${msg.id}`, { token: alice.token })).status).toBe(204);
    expect(await env.ATTACHMENTS.head(originalKey(asset.asset_id))).toBeNull();
    expect(await env.ATTACHMENTS.head(thumbnailKey(asset.asset_id, "128"))).toBeNull();
    expect((await fetchUrl(thumbUrl)).status).toBe(404);
  });
});

describe("orphan cleanup", () => {
  it("deletes uploads never attached to a message after 24 h, and keeps the rest", async () => {
    const { alice, group } = await setup();
    const orphan = await uploaded(alice, text("forgotten"), "text/plain");
    const young = await uploaded(alice, text("just now"), "text/plain");
    const used = await uploaded(alice, text("used"), "text/plain");
    await send(alice, group.id, { body: "x", attachments: [{ asset_id: used.asset_id }] });
    await env.DB.prepare("update attachments set created_at = created_at - 86400001 where id in (?, ?)").bind(orphan.asset_id, used.asset_id).run();

    await scheduled(createScheduledController(), env);

    expect(await env.ATTACHMENTS.head(originalKey(orphan.asset_id))).toBeNull();
    expect(await env.DB.prepare("select id from attachments where id = ?").bind(orphan.asset_id).first()).toBeNull();
    for (const kept of [young, used]) expect(await env.ATTACHMENTS.head(originalKey(kept.asset_id))).not.toBeNull();
  });
});

describe("upload edge cases", () => {
  it("leaves nothing behind for an empty chunked body, and wants a length for multipart", async () => {
    const user = await newUser();
    const empty = new ReadableStream({ start: (c) => c.close() });
    const before = (await env.ATTACHMENTS.list({ prefix: "attachments/" })).objects.length;
    const res = await fetchUrl("http://api.test/v1/attachments", {
      method: "POST",
      body: empty,
      headers: { Authorization: `Bearer ${user.token}`, "Content-Type": "text/plain" },
    });
    expect(res.status).toBe(400);
    expect((await env.ATTACHMENTS.list({ prefix: "attachments/" })).objects.length).toBe(before);
    const chunkedForm = new ReadableStream({
      start(c) {
        c.enqueue(text("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nx\r\n--b--\r\n"));
        c.close();
      },
    });
    const multipart = await fetchUrl("http://api.test/v1/attachments", {
      method: "POST",
      body: chunkedForm,
      headers: { Authorization: `Bearer ${user.token}`, "Content-Type": "multipart/form-data; boundary=b" },
    });
    expect(multipart.status).toBe(400);
  });
});
