import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { originalKey } from "../../src/features/attachments/storage";
import { call, createChannel, expectStatus, newUser, send, settled, upload } from "../helpers/api";
import { api } from "../helpers/client";
import { shardOf } from "../helpers/shards";

const admin = (method: string, path: string, body?: unknown) => call(method, path, { token: env.ADMIN_TOKEN, body });

describe("held originals (DESIGN §17)", () => {
  it("keeps a held message's original through its author's edit and delete; users see the edit and the tombstone", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const held = await createChannel(alice, { type: "group", name: "Held", member_ids: [bob.id] });
    const free = await createChannel(alice, { type: "group", name: "Free", member_ids: [bob.id] });
    const file = await expectStatus(upload(alice, new TextEncoder().encode("evidence bytes"), "text/plain", "e.txt"), 201);
    const edited = await send(alice, held.id, "the first version");
    const deleted = await send(alice, held.id, { body: "deleted later", attachments: [{ asset_id: file.asset_id }] });
    const unheld = await send(alice, free.id, "not held");
    for (const c of [held, free]) await settled(c.id);
    expect((await admin("POST", "/admin/v1/legal-holds", { name: "Case 9", channel_ids: [held.id] })).status).toBe(201);

    const msgs = (channelID: string) => api(alice.token).v1.channels[":channelID"].messages;
    for (const body of ["the second version", "the third version"]) {
      await expectStatus(msgs(held.id)[":messageID"].$put({ param: { channelID: held.id, messageID: edited.id }, json: { body } }), 200);
    }
    await expectStatus(msgs(held.id)[":messageID"].$delete({ param: { channelID: held.id, messageID: deleted.id } }), 204);
    await expectStatus(msgs(free.id)[":messageID"].$put({ param: { channelID: free.id, messageID: unheld.id }, json: { body: "changed" } }), 200);

    // What users see: the edit and the tombstone, as always.
    const page = await expectStatus(api(bob.token).v1.channels[":channelID"].messages.$get({ param: { channelID: held.id }, query: {} }), 200);
    expect(page.messages.find((m) => m.id === edited.id)).toMatchObject({ body: "the third version" });
    const stone = page.messages.find((m) => m.id === deleted.id);
    if (stone) expect(stone).toMatchObject({ body: "", attachments: [] });

    // What the shard keeps: every replaced version, oldest first, and the deleted one's attachment and bytes.
    const shard = await shardOf(held.id);
    const rows = (await shard.prepare("select message_id, reason, body, attachments from held_originals where message_id in (?, ?) order by message_id, replaced_at").bind(edited.id, deleted.id).all()).results;
    expect(rows.map((r) => [r.message_id, r.reason, r.body])).toEqual([
      [edited.id, "edit", "the first version"],
      [edited.id, "edit", "the second version"],
      [deleted.id, "delete", "deleted later"],
    ]);
    expect(JSON.parse(rows[2]!.attachments as string)[0]).toMatchObject({ asset_id: file.asset_id });
    expect(await env.ATTACHMENTS.head(originalKey(file.asset_id))).not.toBeNull();
    expect(await env.DB.prepare("select status from attachments where id = ?").bind(file.asset_id).first("status")).toBe("complete");
    // Outside the hold nothing is kept.
    expect(await (await shardOf(free.id)).prepare("select count(*) as n from held_originals where message_id = ?").bind(unheld.id).first("n")).toBe(0);
  });
});
