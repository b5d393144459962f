/** Issue #25: how much one user may have pending in uploads, how fast signed PUTs go, and what a filename may hide. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_PENDING_BYTES, MAX_PENDING_UPLOADS, UPLOAD_PUTS_PER_MINUTE } from "../../src/features/attachments/limits";
import { originalKey } from "../../src/features/attachments/storage";
import { type TestUser, createChannel, expectError, expectStatus, fetchUrl, newUser, send, upload } from "../helpers/api";
import { api } from "../helpers/client";

const MiB = 1024 * 1024;
const text = (s: string) => new TextEncoder().encode(s);
const startUpload = (user: TestUser, size_bytes: number, filename = "big.bin") => api(user.token).v1.attachments.uploads.$post({ json: { filename, size_bytes } });
const put = (url: string, bytes: Uint8Array, length = bytes.byteLength) => fetchUrl(url, { method: "PUT", body: bytes, headers: { "Content-Length": String(length) } });
/** The user's upload rows, and the R2 objects under their ids: the state a refusal must leave as it was. */
async function stateOf(user: TestUser) {
  const { results } = await env.DB.prepare("select id, status, size_bytes, message_id from attachments where owner_id = ? order by id").bind(user.id).all();
  const objects = await Promise.all(results.map(async (r) => (await env.ATTACHMENTS.head(originalKey(r.id as string))) !== null));
  return { rows: results, objects };
}

describe("pending uploads per user", () => {
  it(`refuses a ${MAX_PENDING_UPLOADS + 1}st unused upload (direct or signed) with 429 UPLOAD_PENDING_LIMIT, storing nothing; attaching one frees its slot`, async () => {
    const alice = await newUser("Alice");
    const group = await createChannel(alice, { type: "group", name: "Limits" });
    const direct = [];
    for (let i = 0; i < MAX_PENDING_UPLOADS - 1; i++) direct.push(await expectStatus(upload(alice, text(`file ${i}`), "text/plain"), 201));
    await expectStatus(startUpload(alice, 10), 201); // the 20th: a live signed URL counts too
    const before = await stateOf(alice);
    expect(before.rows).toHaveLength(MAX_PENDING_UPLOADS);

    const refused = await startUpload(alice, 10);
    // The first slot to free itself is the signed URL's, when it expires unused (5 minutes).
    const retryAfter = Number(refused.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThan(250);
    expect(retryAfter).toBeLessThanOrEqual(300);
    const error = await expectError(refused, 429, "UPLOAD_PENDING_LIMIT");
    expect(error.message).toContain(`${MAX_PENDING_UPLOADS} unused uploads`);
    expect(error.details).toEqual({ pending_uploads: MAX_PENDING_UPLOADS, pending_bytes: expect.any(Number), max_pending_uploads: MAX_PENDING_UPLOADS, max_pending_bytes: MAX_PENDING_BYTES });
    await expectError(upload(alice, text("one too many"), "text/plain"), 429, "UPLOAD_PENDING_LIMIT");
    expect(await stateOf(alice)).toEqual(before);

    // Attached to a message, an upload is no longer pending: one more may come.
    await send(alice, group.id, { body: "", attachments: [{ asset_id: direct[0]!.asset_id }] });
    await expectStatus(upload(alice, text("room again"), "text/plain"), 201);
    await expectError(upload(alice, text("and full again"), "text/plain"), 429, "UPLOAD_PENDING_LIMIT");
  });

  it(`holds announced bytes against ${MAX_PENDING_BYTES / MiB} MiB; a signed URL that expired unused holds nothing`, async () => {
    const bob = await newUser("Bob");
    const half = await expectStatus(startUpload(bob, MAX_PENDING_BYTES / 2), 201);
    await expectStatus(startUpload(bob, MAX_PENDING_BYTES / 2), 201); // exactly the limit
    const before = await stateOf(bob);
    const error = await expectError(startUpload(bob, 1), 429, "UPLOAD_PENDING_LIMIT");
    expect(error.message).toContain(`${MAX_PENDING_BYTES} bytes`);
    expect(error.details).toMatchObject({ pending_uploads: 2, pending_bytes: MAX_PENDING_BYTES });
    // A direct upload reserves its Content-Length before a byte is stored.
    await expectError(upload(bob, text("x"), "text/plain"), 429, "UPLOAD_PENDING_LIMIT");
    expect(await stateOf(bob)).toEqual(before);

    // One URL expires unused (5 minutes, aged here): it can no longer receive bytes, so it holds nothing.
    await env.DB.prepare("update attachments set created_at = created_at - 301000 where id = ?").bind(half.asset_id).run();
    await expectStatus(startUpload(bob, MAX_PENDING_BYTES / 2), 201);
  });

  it("lets exactly the limit through when a burst of starts races", async () => {
    const carol = await newUser("Carol");
    const results = await Promise.all(Array.from({ length: MAX_PENDING_UPLOADS + 10 }, () => startUpload(carol, 1)));
    const statuses = results.map((r) => r.status as number);
    expect(statuses.filter((s) => s === 201)).toHaveLength(MAX_PENDING_UPLOADS);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    for (const res of results) await res.text();
    expect((await stateOf(carol)).rows).toHaveLength(MAX_PENDING_UPLOADS);
  });
});

describe("signed PUTs per user", () => {
  // UPLOAD_RATE_LIMITER counts in windows aligned to the wall-clock minute (like USER_RATE_LIMITER,
  // see test/platform/errors.test.ts): the burst starts when the window has time left for it and is
  // repeated in the next window, with a new user, if it straddled a boundary.
  const WINDOW_MS = 60_000;
  const timeLeft = () => WINDOW_MS - (Date.now() % WINDOW_MS);

  it(`answers 429 RATE_LIMITED with Retry-After past ${UPLOAD_PUTS_PER_MINUTE} PUTs a minute, failed ones included, leaving the upload pending; others are unaffected`, async () => {
    for (let attempt = 1; ; attempt++) {
      while (timeLeft() < 15_000) await new Promise((resolve) => setTimeout(resolve, Math.min(250, timeLeft())));
      const start = Date.now();
      const dave = await newUser("Dave");
      const { asset_id, upload_url } = await expectStatus(startUpload(dave, 4), 201);
      // Each PUT with the wrong length is refused (400) and frees the URL for another try: each still counts.
      const statuses = [];
      for (let i = 0; i < UPLOAD_PUTS_PER_MINUTE; i++) statuses.push((await put(upload_url, text("abc"))).status);
      const before = await stateOf(dave);
      const refused = await put(upload_url, text("good"));
      const end = Date.now();
      if (Math.floor(start / WINDOW_MS) !== Math.floor(end / WINDOW_MS)) {
        await refused.text();
        if (attempt < 3) continue;
        throw new Error("three bursts did not fit in one window");
      }
      expect(statuses).toEqual(Array(UPLOAD_PUTS_PER_MINUTE).fill(400));
      expect(refused.headers.get("Retry-After")).toBe("60");
      await expectError(refused, 429, "RATE_LIMITED");
      expect(await stateOf(dave)).toEqual(before);
      expect(before.rows).toEqual([{ id: asset_id, status: "pending", size_bytes: 4, message_id: null }]);
      expect(before.objects).toEqual([false]);
      // Another user's PUT goes through.
      const erin = await newUser("Erin");
      const other = await expectStatus(startUpload(erin, 4), 201);
      await expectStatus(put(other.upload_url, text("good")), 200);
      return;
    }
  });
});

describe("filenames", () => {
  // U+202E (right-to-left override) shows "invoice\u202Egnp.exe" as "invoiceexe.png".
  const hidden = ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069", "\u200E", "\u200F", "\u061C", "\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF"];

  it("lose bidi controls and zero-width characters: stored, returned, on messages and in Content-Disposition", async () => {
    const frank = await newUser("Frank");
    const group = await createChannel(frank, { type: "group", name: "Names" });
    const stored = await expectStatus(upload(frank, text("MZ not really"), "application/octet-stream", "invoice\u202Egnp.exe"), 201);
    expect(stored.filename).toBe("invoicegnp.exe");
    const every = await expectStatus(upload(frank, text("x"), "text/plain", `a${hidden.join("")}b.txt`), 201);
    expect(every.filename).toBe("ab.txt");
    const signed = await expectStatus(startUpload(frank, 3, "\u2066photo\u2069\u200B.png\uFEFF"), 201);
    const form = new FormData();
    form.append("file", new File([text("multi")], "\u202Etxt.exe", { type: "text/plain" }));
    const multipart = await expectStatus(api(frank.token).v1.attachments.$post(undefined, { init: { body: form } }), 201);
    expect(multipart.filename).toBe("txt.exe");
    // Nothing but invisible characters is no name at all.
    expect((await expectStatus(upload(frank, text("y"), "text/plain", "\u202E\u200B"), 201)).filename).toBe("file");

    const rows = await env.DB.prepare("select id, filename from attachments where owner_id = ?").bind(frank.id).all<{ id: string; filename: string }>();
    const byId = Object.fromEntries(rows.results.map((r) => [r.id, r.filename]));
    expect(byId[stored.asset_id]).toBe("invoicegnp.exe");
    expect(byId[signed.asset_id]).toBe("photo.png");

    const message = await send(frank, group.id, { body: "", attachments: [{ asset_id: stored.asset_id }] });
    expect(message.attachments[0]!.filename).toBe("invoicegnp.exe");
    const { url } = await expectStatus(
      api(frank.token).v1.channels[":channelID"].messages[":messageID"].attachments[":attachmentID"].url.$get({
        param: { channelID: group.id, messageID: message.id, attachmentID: stored.asset_id },
        query: { size: "full" },
      }),
      200,
    );
    const file = await fetchUrl(url);
    expect(file.status).toBe(200);
    expect(file.headers.get("Content-Disposition")).toBe("attachment; filename*=UTF-8''invoicegnp.exe");
    await file.arrayBuffer();
  });
});
