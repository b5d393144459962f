/** Issue #25: uploads that must go — the cron's orphans (the whole backlog, never a claimed one) and a deleted channel's files. */
import { createScheduledController, env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { ORPHAN_AGE_MS } from "../../src/features/attachments/limits";
import { ORPHAN_CHUNK, findOrphans, removeRetired, retireOrphans, sweepOrphans } from "../../src/features/attachments/orphans";
import { originalKey, thumbnailKey } from "../../src/features/attachments/storage";
import { createDb } from "../../src/platform/db";
import { scheduled } from "../../src/scheduled";
import { type TestUser, createChannel, expectError, expectStatus, fetchUrl, newUser, send, upload, uniqueId } from "../helpers/api";
import { api } from "../helpers/client";
import { makePng } from "../helpers/images";

const text = (s: string) => new TextEncoder().encode(s);
const db = () => createDb(env.DB);
const rowOf = (id: string) => env.DB.prepare("select status, message_id from attachments where id = ?").bind(id).first<{ status: string; message_id: string | null }>();
const age = (...ids: string[]) => env.DB.prepare(`update attachments set created_at = created_at - ${ORPHAN_AGE_MS + 1} where id in (${ids.map(() => "?").join(",")})`).bind(...ids).run();
const urlOf = (user: TestUser, channelID: string, messageID: string, attachmentID: string, size: "full" | "128" = "full") =>
  api(user.token).v1.channels[":channelID"].messages[":messageID"].attachments[":attachmentID"].url.$get({ param: { channelID, messageID, attachmentID }, query: { size } });
/** Orphan rows written straight into D1 (aged past 24 h), as a backlog the API would take hours to build. */
async function insertOrphans(owner: string, count: number) {
  const old = Date.now() - ORPHAN_AGE_MS - 60_000;
  const ids = Array.from({ length: count }, (_, i) => `${owner}-${i}`);
  for (let i = 0; i < ids.length; i += 300) {
    const values = ids.slice(i, i + 300).map((id) => `('${id}', '${owner}', 'f.txt', 'text/plain', 1, 'complete', ${old})`);
    await env.DB.prepare(`insert into attachments (id, owner_id, filename, content_type, size_bytes, status, created_at) values ${values.join(",")}`).run();
  }
  return ids;
}
const countOf = async (owner: string) => (await env.DB.prepare("select count(*) as n from attachments where owner_id = ?").bind(owner).first<{ n: number }>())!.n;
const allOrphans = async () =>
  (await env.DB.prepare("select count(*) as n from attachments where (message_id is null and created_at < ?) or status = 'deleted'").bind(Date.now() - ORPHAN_AGE_MS).first<{ n: number }>())!.n;

describe("the cron's orphan cleanup", () => {
  it("never deletes an upload a send claimed between the cron's select and its delete", async () => {
    const alice = await newUser("Alice");
    const group = await createChannel(alice, { type: "group", name: "Race" });
    const claimed = await expectStatus(upload(alice, text("claimed late"), "text/plain", "late.txt"), 201);
    const orphan = await expectStatus(upload(alice, text("really forgotten"), "text/plain"), 201);
    await age(claimed.asset_id, orphan.asset_id);
    const cutoff = Date.now() - ORPHAN_AGE_MS;

    // Step 1: the cron finds both as orphans.
    const candidates = await findOrphans(db(), cutoff, 10_000);
    expect(candidates).toEqual(expect.arrayContaining([claimed.asset_id, orphan.asset_id]));
    // Meanwhile a send claims one of them.
    const message = await send(alice, group.id, { body: "just in time", attachments: [{ asset_id: claimed.asset_id }] });
    // Step 2 and 3: only what is still an orphan is retired, and only that loses its bytes and row.
    const retired = await retireOrphans(db(), [claimed.asset_id, orphan.asset_id], cutoff);
    expect(retired).toEqual([orphan.asset_id]);
    await removeRetired(env, db(), retired);

    expect(await rowOf(claimed.asset_id)).toEqual({ status: "complete", message_id: message.id });
    expect(await env.ATTACHMENTS.head(originalKey(claimed.asset_id))).not.toBeNull();
    const { url } = await expectStatus(urlOf(alice, group.id, message.id, claimed.asset_id), 200);
    const file = await fetchUrl(url);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe("claimed late");
    expect(await rowOf(orphan.asset_id)).toBeNull();
    expect(await env.ATTACHMENTS.head(originalKey(orphan.asset_id))).toBeNull();
  });

  it("a retired upload can no longer be attached or completed", async () => {
    const bob = await newUser("Bob");
    const group = await createChannel(bob, { type: "group", name: "Late" });
    const upl = await expectStatus(upload(bob, text("retired"), "text/plain"), 201);
    await age(upl.asset_id);
    expect(await retireOrphans(db(), [upl.asset_id], Date.now() - ORPHAN_AGE_MS)).toEqual([upl.asset_id]);
    const post = api(bob.token).v1.channels[":channelID"].messages.$post({ param: { channelID: group.id }, json: { body: "x", attachments: [{ asset_id: upl.asset_id }] }, header: {} });
    await expectError(post, 404, "CHAT_ATTACHMENT_NOT_FOUND");
    expect(await rowOf(upl.asset_id)).toEqual({ status: "deleted", message_id: null });
    expect(await env.ATTACHMENTS.head(originalKey(upl.asset_id))).not.toBeNull(); // the next step's to delete

    // A signed upload whose bytes arrived but that was never completed: retired, it stays retired.
    const start = await expectStatus(api(bob.token).v1.attachments.uploads.$post({ json: { filename: "late.bin", size_bytes: 4 } }), 201);
    await expectStatus(fetchUrl(start.upload_url, { method: "PUT", body: text("late"), headers: { "Content-Length": "4" } }), 200);
    await age(start.asset_id);
    expect(await retireOrphans(db(), [start.asset_id], Date.now() - ORPHAN_AGE_MS)).toEqual([start.asset_id]);
    await expectError(api(bob.token).v1.attachments[":assetID"].complete.$post({ param: { assetID: start.asset_id } }), 404, "CHAT_ATTACHMENT_NOT_FOUND");
    expect(await rowOf(start.asset_id)).toEqual({ status: "deleted", message_id: null });
  });

  it("takes the whole backlog in one run (more than the old 1,000), chunk by chunk", async () => {
    const owner = uniqueId("backlog");
    await insertOrphans(owner, 1_050);
    const withBytes = `${owner}-1049`;
    await env.ATTACHMENTS.put(originalKey(withBytes), "bytes");
    await scheduled(createScheduledController(), env);
    expect(await countOf(owner)).toBe(0);
    expect(await env.ATTACHMENTS.head(originalKey(withBytes))).toBeNull();
    expect(await allOrphans()).toBe(0);
  });

  it("stops at its time budget and leaves the rest to the next run", async () => {
    const owner = uniqueId("budget");
    await insertOrphans(owner, 250);
    const before = await allOrphans();
    // A clock that has passed the deadline after the first chunk (no real waiting).
    let ticks = 0;
    const clock = () => (ticks++ === 0 ? 0 : 1_000);
    expect(await sweepOrphans(env, db(), Date.now(), 500, clock)).toBe(ORPHAN_CHUNK);
    expect(await allOrphans()).toBe(before - ORPHAN_CHUNK);
    expect(await sweepOrphans(env, db(), Date.now())).toBe(before - ORPHAN_CHUNK);
    expect(await countOf(owner)).toBe(0);
  });
});

describe("the cron when R2 fails", () => {
  it("keeps the retired upload for the next run and still does the rest of its housekeeping", async () => {
    const erin = await newUser("Erin");
    const upl = await expectStatus(upload(erin, text("stubborn"), "text/plain"), 201);
    await age(upl.asset_id);
    // The platform's R2 binding fails once (our own code runs unchanged).
    const failing = vi.spyOn(env.ATTACHMENTS, "delete").mockRejectedValueOnce(new Error("R2 unavailable"));
    try {
      await scheduled(createScheduledController(), env); // does not throw
      expect(failing).toHaveBeenCalledTimes(1);
    } finally {
      failing.mockRestore();
    }
    expect(await rowOf(upl.asset_id)).toEqual({ status: "deleted", message_id: null });
    expect(await env.ATTACHMENTS.head(originalKey(upl.asset_id))).not.toBeNull();
    await scheduled(createScheduledController(), env);
    expect(await rowOf(upl.asset_id)).toBeNull();
    expect(await env.ATTACHMENTS.head(originalKey(upl.asset_id))).toBeNull();
  });
});

describe("a deleted channel's files", () => {
  it("are purged with it: a signed URL handed out before the delete answers 404, and the R2 objects are gone", async () => {
    const [carol, dave] = [await newUser("Carol"), await newUser("Dave")];
    const group = await createChannel(carol, { type: "group", name: "Doomed", member_ids: [dave.id] });
    const png = await expectStatus(upload(carol, await makePng(64, 64), "image/png", "plan.png"), 201);
    const pdf = await expectStatus(upload(dave, text("%PDF-1.4 secret"), "application/pdf", "secret.pdf"), 201);
    const first = await send(carol, group.id, { body: "plan", attachments: [{ asset_id: png.asset_id }] });
    const reply = await send(dave, group.id, { body: "and", parent_id: first.id, attachments: [{ asset_id: pdf.asset_id }] });
    const full = (await expectStatus(urlOf(dave, group.id, first.id, png.asset_id), 200)).url;
    const thumb = (await expectStatus(urlOf(dave, group.id, first.id, png.asset_id, "128"), 200)).url;
    const replyUrl = (await expectStatus(urlOf(carol, group.id, reply.id, pdf.asset_id), 200)).url;
    for (const url of [full, thumb, replyUrl]) expect((await fetchUrl(url)).status).toBe(200);
    expect(await env.ATTACHMENTS.head(thumbnailKey(png.asset_id, "128"))).not.toBeNull();
    // An upload of the same user not on any message of the channel is left alone.
    const unrelated = await expectStatus(upload(carol, text("keep me"), "text/plain"), 201);

    await expectStatus(api(carol.token).v1.channels[":channelID"].$delete({ param: { channelID: group.id } }), 204);
    // The purge runs through the JOBS queue: done when the channel's row is gone.
    const deadline = Date.now() + 30_000;
    while ((await env.DB.prepare("select 1 from channels where id = ?").bind(group.id).first()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await env.DB.prepare("select 1 from channels where id = ?").bind(group.id).first()).toBeNull();

    for (const url of [full, thumb, replyUrl]) await expectError(fetchUrl(url), 404, "CHAT_ATTACHMENT_NOT_FOUND");
    for (const key of [originalKey(png.asset_id), thumbnailKey(png.asset_id, "128"), originalKey(pdf.asset_id)]) expect(await env.ATTACHMENTS.head(key)).toBeNull();
    expect([await rowOf(png.asset_id), await rowOf(pdf.asset_id)]).toEqual([null, null]);
    expect(await rowOf(unrelated.asset_id)).toEqual({ status: "complete", message_id: null });
    expect(await env.ATTACHMENTS.head(originalKey(unrelated.asset_id))).not.toBeNull();
  });
});
