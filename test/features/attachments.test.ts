import { createScheduledController, env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { originalKey, thumbnailKey } from "../../src/features/attachments/storage";
import { signUrlData } from "../../src/platform/signing";
import { scheduled } from "../../src/scheduled";
import { type TestUser, createChannel, expectError, expectStatus, fetchUrl, newUser, send, tamperedSignature, upload } from "../helpers/api";
import { api, invalid } from "../helpers/client";
import { convert, dimensions, makePng } from "../helpers/images";
import { connect } from "../helpers/ws";

const text = (s: string) => new TextEncoder().encode(s);
const seconds = (ms: number) => Math.floor(ms / 1000);

async function setup() {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const group = await createChannel(alice, { type: "group", name: "Files", member_ids: [bob.id] });
  return { alice, bob, group };
}

const uploaded = (user: TestUser, bytes: Uint8Array, type?: string, name?: string) => expectStatus(upload(user, bytes, type, name), 201);
const attachments = (user: TestUser) => api(user.token).v1.attachments;
const complete = (user: TestUser, assetID: string) => attachments(user)[":assetID"].complete.$post({ param: { assetID } });
const startUpload = (user: TestUser, json: { filename: string; content_type?: string; size_bytes: number }) => attachments(user).uploads.$post({ json });
const attachmentRows = async (user: TestUser) =>
  (await env.DB.prepare("select count(*) as n from attachments where owner_id = ?").bind(user.id).first<{ n: number }>())!.n;
const r2Objects = async () => (await env.ATTACHMENTS.list({ prefix: "attachments/" })).objects.length;

describe("uploads", () => {
  it("stores a PNG and reports its real type and size", async () => {
    const { alice } = await setup();
    const png = await makePng(300, 200);
    const stored = await expectStatus(upload(alice, png, "image/png", "photo.png"), 201);
    expect(stored).toEqual({ asset_id: expect.stringMatching(/^\d{19}$/), filename: "photo.png", content_type: "image/png", size_bytes: png.byteLength, width: 300, height: 200 });
    const object = await env.ATTACHMENTS.get(originalKey(stored.asset_id));
    expect(new Uint8Array(await object!.arrayBuffer())).toEqual(png);
  });

  it("accepts multipart uploads and decides the type from the bytes, not the header", async () => {
    const { alice } = await setup();
    const jpeg = await convert(await makePng(64, 48), "image/jpeg");
    const form = new FormData();
    form.append("file", new File([jpeg], "camera.jpg", { type: "application/octet-stream" }));
    // The typed route with a multipart body (the client has no option for it, so it goes in `init`).
    const stored = await expectStatus(attachments(alice).$post(undefined, { init: { body: form } }), 201);
    expect(stored).toMatchObject({ filename: "camera.jpg", content_type: "image/jpeg", width: 64, height: 48 });
    const webp = await uploaded(alice, await convert(await makePng(10, 20), "image/webp"), "text/plain", "x.webp");
    expect(webp).toMatchObject({ content_type: "image/webp", width: 10, height: 20 });
  });

  it("stores a file that only claims to be an image as a plain file", async () => {
    const { alice } = await setup();
    const fake = await uploaded(alice, text("definitely not a png"), "image/png", "fake.png");
    expect(fake.content_type).toBe("application/octet-stream");
    expect(fake).not.toHaveProperty("width");
    const pdf = await uploaded(alice, text("%PDF-1.7 …"), "application/pdf", "../../etc/report.pdf");
    expect(pdf).toMatchObject({ content_type: "application/pdf", filename: "report.pdf" });
    const truncated = await uploaded(alice, (await makePng(50, 50)).slice(0, 40), "image/png");
    expect(truncated).not.toHaveProperty("width");
    expect(truncated.size_bytes).toBe(40);
  });

  it("refuses empty bodies and anything over 25 MiB (413), storing nothing", async () => {
    const { alice } = await setup();
    const [rows, objects] = [await attachmentRows(alice), await r2Objects()];
    await expectError(upload(alice, new Uint8Array()), 400, "VALIDATION_FAILED");
    await expectError(upload(alice, new Uint8Array(25 * 1024 * 1024 + 65 * 1024)), 413, "PAYLOAD_TOO_LARGE");
    const form = new FormData();
    form.append("other", "x");
    await expectError(attachments(alice).$post(undefined, { init: { body: form } }), 400, "VALIDATION_FAILED");
    await expectError(api().v1.attachments.$post(undefined, { init: { body: text("x") } }), 401, "AUTH_REQUIRED");
    expect([await attachmentRows(alice), await r2Objects()]).toEqual([rows, objects]);
  });

  it("takes large files through a one-time signed PUT URL, then complete", async () => {
    const { alice, bob } = await setup();
    const png = await makePng(120, 90);
    const t0 = Date.now();
    const start = await expectStatus(startUpload(alice, { filename: "big.png", content_type: "image/png", size_bytes: png.byteLength }), 201);
    const { asset_id, upload_url } = start;
    // Valid for 5 minutes from the request, whatever the time it took.
    expect(start.expires_at).toBeGreaterThanOrEqual(seconds(t0) + 300);
    expect(start.expires_at).toBeLessThanOrEqual(seconds(Date.now()) + 300);
    await expectError(complete(alice, asset_id), 400, "VALIDATION_FAILED");
    const put = (url: string, bytes: Uint8Array) => fetchUrl(url, { method: "PUT", body: bytes, headers: { "Content-Length": String(bytes.byteLength) } });
    await expectError(put(upload_url, png.slice(1)), 400, "VALIDATION_FAILED");
    await expectError(fetchUrl(tamperedSignature(upload_url), { method: "PUT", body: png }), 403, "FILE_SIGNATURE_INVALID");
    await expectStatus(put(upload_url, png), 200);
    await expectError(put(upload_url, png), 409, "UPLOAD_ALREADY_RECEIVED");
    await expectError(complete(bob, asset_id), 404, "CHAT_ATTACHMENT_NOT_FOUND");
    const done = await expectStatus(complete(alice, asset_id), 200);
    expect(done).toEqual({ asset_id, filename: "big.png", content_type: "image/png", size_bytes: png.byteLength, width: 120, height: 90 });
    await expectError(startUpload(alice, { filename: "x", size_bytes: 200 * 1024 * 1024 }), 413, "PAYLOAD_TOO_LARGE");
  });
});

describe("attachments on messages", () => {
  it("fills attachment facts from the upload, never from the client", async () => {
    const { alice, group } = await setup();
    const png = await uploaded(alice, await makePng(40, 30), "image/png", "pic.png");
    // The extra fields are not part of the request type: sent on purpose, to be ignored.
    const msg = await send(alice, group.id, { body: "", attachments: [invalid({ asset_id: png.asset_id, filename: "evil.exe", size_bytes: 1, content_type: "x/y" })] });
    expect(msg.attachments).toEqual([{ asset_id: png.asset_id, filename: "pic.png", content_type: "image/png", size_bytes: png.size_bytes, width: 40, height: 30 }]);
  });

  it("allows many images but one other file, at most 10, each once, only your own completed uploads", async () => {
    const { alice, bob, group } = await setup();
    const images = [];
    for (let i = 0; i < 11; i++) images.push((await uploaded(alice, await makePng(4 + i, 4), "image/png")).asset_id);
    const files = [(await uploaded(alice, text("a"), "text/plain")).asset_id, (await uploaded(alice, text("b"), "text/plain")).asset_id];
    const post = (ids: string[], user = alice) =>
      api(user.token).v1.channels[":channelID"].messages.$post({ param: { channelID: group.id }, json: { body: "x", attachments: ids.map((asset_id) => ({ asset_id })) }, header: {} });
    await expectError(post(images), 400, "VALIDATION_FAILED");
    await expectError(post(files), 400, "VALIDATION_FAILED");
    await expectError(post([images[0]!, images[0]!]), 400, "VALIDATION_FAILED");
    await expectError(post([images[0]!], bob), 404, "CHAT_ATTACHMENT_NOT_FOUND");
    await expectError(post(["1234567890123456789"]), 404, "CHAT_ATTACHMENT_NOT_FOUND");
    const pending = (await expectStatus(startUpload(alice, { filename: "p", size_bytes: 5 }), 201)).asset_id;
    await expectError(post([pending]), 404, "CHAT_ATTACHMENT_NOT_FOUND");
    const ok = await expectStatus(post([...images.slice(0, 9), files[0]!]), 201);
    expect(ok.attachments).toHaveLength(10);
    await expectError(post([images[0]!]), 409, "CHAT_ATTACHMENT_IN_USE");
    const page = await expectStatus(api(alice.token).v1.channels[":channelID"].messages.$get({ param: { channelID: group.id }, query: {} }), 200);
    expect(page.messages).toEqual([ok]);
  });

  it("uses an upload once even when two sends race for it", async () => {
    const { alice, group } = await setup();
    const asset = (await uploaded(alice, text("race"), "text/plain")).asset_id;
    const results = await Promise.all(
      [1, 2, 3].map(() => api(alice.token).v1.channels[":channelID"].messages.$post({ param: { channelID: group.id }, json: { body: "x", attachments: [{ asset_id: asset }] }, header: {} })),
    );
    expect(results.map((r) => r.status as number).sort()).toEqual([201, 409, 409]);
    for (const res of results) {
      if (res.status === 201) await expectStatus(res, 201);
      else await expectError(res, 409, "CHAT_ATTACHMENT_IN_USE");
    }
  });
});

describe("signed URLs and serving", () => {
  async function withMessage(bytes: Uint8Array, type: string, name: string) {
    const ctx = await setup();
    const asset = await uploaded(ctx.alice, bytes, type, name);
    const msg = await send(ctx.alice, ctx.group.id, { body: "see", attachments: [{ asset_id: asset.asset_id }] });
    const urlOf = (size: "full" | "1600" | "512" | "256" | "128" = "full", user = ctx.bob, attachmentID = asset.asset_id, messageID = msg.id) =>
      api(user.token).v1.channels[":channelID"].messages[":messageID"].attachments[":attachmentID"].url.$get({
        param: { channelID: ctx.group.id, messageID, attachmentID },
        query: { size },
      });
    /** A signed URL, asserting 200. */
    const signed = async (size?: Parameters<typeof urlOf>[0]) => (await expectStatus(urlOf(size), 200)).url;
    return { ...ctx, asset, msg, urlOf, signed };
  }

  it("serves the original byte-exact with type, disposition, ETag and caching; ranges give 206", async () => {
    const pdf = text("%PDF-1.4 0123456789 abcdefghij");
    const { urlOf } = await withMessage(pdf, "application/pdf", "report 1.pdf");
    const t0 = Date.now();
    const { url, expires_at } = await expectStatus(urlOf(), 200);
    expect(url).toMatch(/^http:\/\/api\.test\/files\/\d{19}\/full\?exp=\d+&sig=/);
    // Valid for an hour from the request, whatever the time it took.
    expect(expires_at).toBeGreaterThanOrEqual(seconds(t0) + 3600);
    expect(expires_at).toBeLessThanOrEqual(seconds(Date.now()) + 3600);
    const file = await fetchUrl(url);
    expect(file.status).toBe(200);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(pdf);
    expect(file.headers.get("Content-Type")).toBe("application/pdf");
    expect(file.headers.get("X-Request-Id")).toMatch(/^[\w-]{8,}$/);
    expect(file.headers.get("Content-Disposition")).toBe("attachment; filename*=UTF-8''report%201.pdf");
    expect(file.headers.get("Cache-Control")).toMatch(/^private, max-age=\d+$/);
    const etag = file.headers.get("ETag")!;
    expect(etag).toMatch(/^(W\/)?"[^"]+"$/);
    const notModified = await fetchUrl(url, { headers: { "If-None-Match": etag } });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe("");

    const part = await fetchUrl(url, { headers: { Range: "bytes=9-18" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("Content-Range")).toBe(`bytes 9-18/${pdf.byteLength}`);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(pdf.slice(9, 19));
    const tail = await fetchUrl(url, { headers: { Range: "bytes=-5" } });
    expect(tail.status).toBe(206);
    expect(new TextDecoder().decode(await tail.arrayBuffer())).toBe("fghij");
    const beyond = await fetchUrl(url, { headers: { Range: `bytes=${pdf.byteLength}-` } });
    expect(beyond.headers.get("Content-Range")).toBe(`bytes */${pdf.byteLength}`);
    await expectError(beyond, 416, "RANGE_NOT_SATISFIABLE");
  });

  it("makes WebP thumbnails by the longest edge, never upscaled, once, kept in R2", async () => {
    const png = await makePng(2000, 1000);
    const { asset, signed } = await withMessage(png, "image/png", "wide.png");
    const expected = { "1600": [1600, 800], "512": [512, 256], "256": [256, 128], "128": [128, 64] } as const;
    for (const [size, [w, h]] of Object.entries(expected) as [keyof typeof expected, readonly [number, number]][]) {
      expect(await env.ATTACHMENTS.head(thumbnailKey(asset.asset_id, size))).toBeNull();
      const res = await fetchUrl(await signed(size));
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("image/webp");
      expect(await dimensions(new Uint8Array(await res.arrayBuffer()))).toEqual({ width: w, height: h, format: "image/webp" });
      expect(await env.ATTACHMENTS.head(thumbnailKey(asset.asset_id, size))).not.toBeNull();
    }
    const original = await fetchUrl(await signed("full"));
    expect(original.headers.get("Content-Disposition")).toBe("inline; filename*=UTF-8''wide.png");
    expect(new Uint8Array(await original.arrayBuffer())).toEqual(png);

    const small = await withMessage(await convert(await makePng(300, 200), "image/jpeg"), "image/jpeg", "small.jpg");
    const thumb = await fetchUrl(await small.signed("512"));
    expect(await dimensions(new Uint8Array(await thumb.arrayBuffer()))).toEqual({ width: 300, height: 200, format: "image/webp" });
  });

  it("refuses tampered, swapped or expired signatures (403) and thumbnails of non-images (400)", async () => {
    const { asset, signed } = await withMessage(await makePng(20, 20), "image/png", "a.png");
    const url = await signed("128");
    expect((await fetchUrl(url)).status).toBe(200);
    for (const bad of [tamperedSignature(url), url.replace("/128?", "/256?"), url.replace(/exp=\d+/, "exp=9999999999"), url.split("&sig")[0]!]) {
      await expectError(fetchUrl(bad), 403, "FILE_SIGNATURE_INVALID");
    }
    const past = Math.floor(Date.now() / 1000) - 1;
    const sig = await signUrlData(env.FILE_URL_SECRET, `file:${asset.asset_id}:full:${past}`);
    await expectError(fetchUrl(`http://api.test/files/${asset.asset_id}/full?exp=${past}&sig=${sig}`), 403, "FILE_SIGNATURE_INVALID");

    const doc = await withMessage(text("plain"), "text/plain", "a.txt");
    await expectError(doc.urlOf("512"), 400, "VALIDATION_FAILED");
    await expectError(doc.urlOf(invalid("999")), 400, "VALIDATION_FAILED");
  });

  it("gives URLs only to members, and only for attachments of that message", async () => {
    const { alice, group, msg, urlOf } = await withMessage(text("secret"), "text/plain", "s.txt");
    const outsider = await newUser();
    await expectError(urlOf("full", outsider), 404, "CHAT_CHANNEL_NOT_FOUND");
    const other = await send(alice, group.id, "no files");
    await expectError(urlOf("full", alice, msg.attachments[0]!.asset_id, other.id), 404, "CHAT_ATTACHMENT_NOT_FOUND");
  });

  it("deletes the bytes (original and thumbnails) with the message", async () => {
    const { alice, group, msg, asset, signed } = await withMessage(await makePng(64, 64), "image/png", "gone.png");
    const thumbUrl = await signed("128");
    expect((await fetchUrl(thumbUrl)).status).toBe(200);
    await expectStatus(api(alice.token).v1.channels[":channelID"].messages[":messageID"].$delete({ param: { channelID: group.id, messageID: msg.id } }), 204);
    expect(await env.ATTACHMENTS.head(originalKey(asset.asset_id))).toBeNull();
    expect(await env.ATTACHMENTS.head(thumbnailKey(asset.asset_id, "128"))).toBeNull();
    await expectError(fetchUrl(thumbUrl), 404, "CHAT_ATTACHMENT_NOT_FOUND");
  });
  it("an R2 failure after the delete committed still answers 204 with one event; the cron removes the bytes later", async () => {
    const { alice, bob, group, msg, asset } = await withMessage(text("doomed"), "text/plain", "doomed.txt");
    const { client } = await connect(group.id, { user: bob });
    // The platform's R2 binding fails (our own code runs unchanged): the delete already committed in D1.
    const failing = vi.spyOn(env.ATTACHMENTS, "delete").mockRejectedValueOnce(new Error("R2 unavailable"));
    try {
      await expectStatus(api(alice.token).v1.channels[":channelID"].messages[":messageID"].$delete({ param: { channelID: group.id, messageID: msg.id } }), 204);
      expect(failing).toHaveBeenCalledTimes(1);
    } finally {
      failing.mockRestore();
    }
    expect(await client.expect("message_delete")).toMatchObject({ data: { id: msg.id } });
    await client.expectSilence();
    // The bytes are still there, but the upload is marked for the cron, which removes them on its next run.
    expect(await env.ATTACHMENTS.head(originalKey(asset.asset_id))).not.toBeNull();
    await scheduled(createScheduledController(), env);
    expect(await env.ATTACHMENTS.head(originalKey(asset.asset_id))).toBeNull();
    expect(await env.DB.prepare("select id from attachments where id = ?").bind(asset.asset_id).first()).toBeNull();
    client.ws.close();
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
    for (const kept of [young, used]) {
      expect(await env.ATTACHMENTS.head(originalKey(kept.asset_id))).not.toBeNull();
      expect(await env.DB.prepare("select id from attachments where id = ?").bind(kept.asset_id).first()).toEqual({ id: kept.asset_id });
    }
  });
});

describe("upload edge cases", () => {
  it("leaves nothing behind for an empty chunked body, and wants a length for multipart", async () => {
    const user = await newUser();
    const [rows, objects] = [await attachmentRows(user), await r2Objects()];
    // Streams have no length: the typed route, with the stream in `init`.
    const empty = new ReadableStream({ start: (c) => c.close() });
    await expectError(attachments(user).$post(undefined, { headers: { "Content-Type": "text/plain" }, init: { body: empty } }), 400, "VALIDATION_FAILED");
    expect([await attachmentRows(user), await r2Objects()]).toEqual([rows, objects]);
    const chunkedForm = new ReadableStream({
      start(c) {
        c.enqueue(text("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nx\r\n--b--\r\n"));
        c.close();
      },
    });
    const multipart = attachments(user).$post(undefined, { headers: { "Content-Type": "multipart/form-data; boundary=b" }, init: { body: chunkedForm } });
    await expectError(multipart, 400, "VALIDATION_FAILED");
    expect([await attachmentRows(user), await r2Objects()]).toEqual([rows, objects]);
  });
});
