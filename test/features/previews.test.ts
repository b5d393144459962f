import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type TestUser, createChannel, expectError, expectStatus, fetchUrl, newUser, send, tamperedSignature, uniqueId } from "../helpers/api";
import { api } from "../helpers/client";
import { shardOf } from "../helpers/shards";
import { eventually, receivedBy } from "../helpers/webhooks";
import { connect } from "../helpers/ws";

/** A fresh bucket of test pages (test/receiver/server.mjs) and the URL of one of its pages. */
function pages() {
  const bucket = uniqueId("p");
  return { bucket, url: (kind: string) => `${env.WEBHOOK_RECEIVER}/pages/${bucket}/${kind}` };
}
type PageHit = { path: string; finished: boolean; closedEarly?: boolean };
const hits = async (bucket: string, kind: string) => ((await receivedBy(bucket)) as unknown as PageHit[]).filter((r) => r.path.endsWith(`/${kind}`));

async function setup() {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const group = await createChannel(alice, { type: "group", name: "Links", member_ids: [bob.id] });
  return { alice, bob, group };
}

const listMessages = async (user: TestUser, channelID: string) =>
  (await expectStatus(api(user.token).v1.channels[":channelID"].messages.$get({ param: { channelID }, query: {} }), 200)).messages;
const messageOf = async (user: TestUser, channelId: string, id: string) => (await listMessages(user, channelId)).find((m) => m.id === id)!;
const storedState = async (channelId: string, id: string) => {
  const row = await (await shardOf(channelId)).prepare("select link_previews from messages where id = ?").bind(id).first<{ link_previews: string | null }>();
  return row?.link_previews ? JSON.parse(row.link_previews) : null;
};
const edit = (user: TestUser, channelID: string, messageID: string, body: string) =>
  expectStatus(api(user.token).v1.channels[":channelID"].messages[":messageID"].$put({ param: { channelID, messageID }, json: { body } }), 200);
const removePreview = (user: TestUser, channelID: string, messageID: string, url?: string) =>
  api(user.token).v1.channels[":channelID"].messages[":messageID"].previews.$delete({ param: { channelID, messageID }, query: url ? { url } : {} });

describe("link previews", () => {
  it("reads Open Graph, a Twitter card and a bare <title>; the image is our signed copy and the image's host is never named", async () => {
    const { alice, bob, group } = await setup();
    const p = pages();
    const { client } = await connect(group.id, { user: bob });
    const sent = await send(alice, group.id, `three: ${p.url("og")}, ${p.url("twitter")} and ${p.url("title")}.`);
    expect(sent.previews).toEqual([]); // filled in the background, after the send
    await client.expect("message");
    const update = await client.expect("message_update", 20_000);
    const image = expect.stringMatching(/^\/files\/lp-[0-9a-f]{32}\/full\?exp=\d+&sig=[\w-]{43}$/);
    expect(update.data).toMatchObject({
      id: sent.id,
      previews: [
        { url: p.url("og"), title: "An OG & title", description: "OG description", site_name: "Example Site", image_url: image },
        { url: p.url("twitter"), title: "Twitter title", description: "Twitter description", site_name: null, image_url: image },
        { url: p.url("title"), title: "Only a title", description: null, site_name: null, image_url: null },
      ],
    });
    // The pages are on 127.0.0.1, their image on localhost: no reader is ever sent there.
    const listed = await messageOf(alice, group.id, sent.id);
    expect(listed.previews).toEqual((update.data as typeof listed).previews);
    expect(JSON.stringify(listed)).not.toContain("localhost");
    const imageUrl = listed.previews[0]!.image_url!;
    const res = await fetchUrl(`http://api.test${imageUrl}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("image/png");
    expect(new Uint8Array(await res.arrayBuffer()).subarray(1, 4)).toEqual(new TextEncoder().encode("PNG"));
    const tampered = await fetchUrl(`http://api.test${tamperedSignature(imageUrl)}`);
    await expectError(tampered, 403, "FILE_SIGNATURE_INVALID");
    // Both pages name the same image: one stored copy (fetched once per page: the two ran together).
    expect(listed.previews[1]!.image_url).toBe(imageUrl);
  });

  it("refuses a redirect to a private address and a page that is not HTML; cuts a 10 MB page at 512 KB", async () => {
    const { alice, bob, group } = await setup();
    const p = pages();
    const { client } = await connect(group.id, { user: bob });
    const toPrivate = `${p.url("redirect")}?to=${encodeURIComponent("http://10.0.0.1/admin")}`;
    const sent = await send(alice, group.id, `${toPrivate} ${p.url("json")} ${p.url("big")} ${p.url("og")}`);
    await client.expect("message");
    const update = await client.expect("message_update", 20_000);
    // Only the big page gives a preview, from its first 512 KB: its description comes after them.
    // (The 4th link is beyond the 3 a message gets.)
    expect((update.data as { previews: unknown }).previews).toEqual([{ url: p.url("big"), title: "Big page", description: null, site_name: null, image_url: null }]);
    expect((await storedState(group.id, sent.id)).links).toHaveLength(3);
    expect(await hits(p.bucket, "og")).toEqual([]);
    // The redirect was followed only as far as its Location was allowed: 10.0.0.1 was never asked.
    expect((await hits(p.bucket, "redirect")).length).toBe(1);
    // The big page was not read to its end: the connection closed early.
    await eventually(async () => (await hits(p.bucket, "big"))[0]?.closedEarly === true);
  });

  it("gives up on a page that never answers after 4 s", async () => {
    const { alice, bob, group } = await setup();
    const p = pages();
    const { client } = await connect(group.id, { user: bob });
    const started = Date.now();
    await send(alice, group.id, `${p.url("hang")} ${p.url("title")}`);
    await client.expect("message");
    const update = await client.expect("message_update", 20_000);
    const elapsed = Date.now() - started;
    expect((update.data as { previews: unknown }).previews).toEqual([{ url: p.url("title"), title: "Only a title", description: null, site_name: null, image_url: null }]);
    // Both links are fetched together: the update waited for the hanging one's 4 s, and not much more.
    expect(elapsed).toBeGreaterThanOrEqual(3900);
    expect(elapsed).toBeLessThan(15_000);
    expect((await hits(p.bucket, "hang")).length).toBe(1);
  });

  it("caches per URL for 24 h: a second message with the same link costs no fetch", async () => {
    const { alice, bob, group } = await setup();
    const p = pages();
    const { client } = await connect(group.id, { user: bob });
    await send(alice, group.id, `first ${p.url("og")}`);
    await client.expect("message");
    await client.expect("message_update", 20_000);
    const second = await send(bob, group.id, `second ${p.url("og")}`);
    await client.expect("message");
    const update = await client.expect("message_update", 20_000);
    expect(update.data).toMatchObject({ id: second.id, previews: [{ url: p.url("og"), title: "An OG & title" }] });
    expect((await hits(p.bucket, "og")).length).toBe(1);
    const cached = await env.DB.prepare("select fetched_at from link_preview_cache where url = ?").bind(p.url("og")).first();
    expect(cached).not.toBeNull();
  });

  it('honours "unfurl": false, even after an edit; previews replies after their insert', async () => {
    const { alice, bob, group } = await setup();
    const p = pages();
    const quiet = await send(alice, group.id, { body: `no preview for ${p.url("og")}`, unfurl: false });
    await eventually(async () => (await storedState(group.id, quiet.id))?.off === true);
    await edit(alice, group.id, quiet.id, `still none for ${p.url("title")}`);
    const { client } = await connect(group.id, { user: bob });
    const reply = await send(bob, group.id, { body: `a reply ${p.url("twitter")}`, parent_id: quiet.id });
    await client.expect("message");
    const update = await eventually(async () => {
      const frame = await client.expect("message_update", 20_000);
      return (frame.data as { id: string }).id === reply.id ? frame : undefined;
    });
    expect(update.data).toMatchObject({ id: reply.id, parent_id: quiet.id, previews: [{ title: "Twitter title" }] });
    expect(await hits(p.bucket, "og")).toEqual([]);
    expect(await hits(p.bucket, "title")).toEqual([]);
    expect((await messageOf(alice, group.id, quiet.id)).previews).toEqual([]);
  });

  it("fetches again when an edit changes the links, not when it keeps them; a moderator removes a preview for good", async () => {
    const { alice, bob, group } = await setup();
    const p = pages();
    const { client } = await connect(group.id, { user: alice });
    const sent = await send(bob, group.id, `see ${p.url("title")}`);
    await client.expect("message");
    expect((await client.expect("message_update", 20_000)).data).toMatchObject({ previews: [{ title: "Only a title" }] });
    await edit(bob, group.id, sent.id, `see rather ${p.url("og")}`);
    await client.expect("message_update"); // the edit itself
    expect((await client.expect("message_update", 20_000)).data).toMatchObject({ previews: [{ url: p.url("og"), title: "An OG & title" }] });
    await edit(bob, group.id, sent.id, `please see ${p.url("og")}`); // the same link: nothing fetched, no second update
    await client.expect("message_update");
    // A non-member may not remove it (the channel is not even visible); the channel's owner (a moderator) may.
    await expectError(removePreview(await newUser("Carol"), group.id, sent.id), 404, "CHAT_CHANNEL_NOT_FOUND");
    const removed = await expectStatus(removePreview(alice, group.id, sent.id, p.url("og")), 200);
    expect(removed.previews).toEqual([]);
    expect((await client.expect("message_update")).data).toMatchObject({ id: sent.id, previews: [] });
    await expectError(removePreview(alice, group.id, sent.id, p.url("og")), 404, "NOT_FOUND");
    await edit(bob, group.id, sent.id, `again ${p.url("og")}`);
    await client.expect("message_update");
    await client.expectSilence();
    expect((await hits(p.bucket, "og")).length).toBe(1);
    expect((await storedState(group.id, sent.id)).removed).toEqual([p.url("og")]);
  });
});
