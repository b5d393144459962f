import { describe, expect, it } from "vitest";
import { type TestUser, createChannel, expectError, expectStatus, newUser, send } from "../helpers/api";
import { api, rawRequest } from "../helpers/client";
import { shardOf } from "../helpers/shards";
import { connect } from "../helpers/ws";

async function setup() {
  const [alice, bob, carol] = [await newUser(), await newUser(), await newUser()];
  const group = await createChannel(alice, { type: "group", name: "G", member_ids: [bob.id, carol.id] });
  const message = await send(alice, group.id, "react to me");
  const param = { channelID: group.id, messageID: message.id };
  const reactions = (user: TestUser) => api(user.token).v1.channels[":channelID"].messages[":messageID"].reactions;
  const react = (user: TestUser, emote: string | number) => reactions(user).$post({ param, json: { emote_asset_id: emote } });
  const unreact = (user: TestUser, emoteID: string) => reactions(user)[":emoteID"].$delete({ param: { ...param, emoteID } });
  const reactionsNow = async () => {
    const page = await expectStatus(api(alice.token).v1.channels[":channelID"].messages.$get({ param: { channelID: group.id }, query: {} }), 200);
    return page.messages[0]!.reactions;
  };
  return { alice, bob, carol, group, message, react, unreact, reactionsNow };
}

describe("reactions", () => {
  it("adds (201, seed body), lists them grouped with counts and user ids, refuses duplicates (409)", async () => {
    const { alice, bob, carol, react, reactionsNow } = await setup();
    expect(await expectStatus(react(bob, "999888777"), 201)).toEqual({ message: "Reaction added" });
    await expectStatus(react(carol, 999888777), 201); // numbers are accepted too
    await expectStatus(react(alice, "5"), 201);
    await expectError(react(bob, "999888777"), 409, "CHAT_REACTION_EXISTS");
    expect(await reactionsNow()).toEqual([
      { emote_asset_id: "999888777", count: 2, user_ids: [bob.id, carol.id] },
      { emote_asset_id: "5", count: 1, user_ids: [alice.id] },
    ]);
  });

  it("removes your own reaction (204); one you did not add is 404", async () => {
    const { bob, carol, react, unreact, reactionsNow } = await setup();
    await expectStatus(react(bob, "1"), 201);
    await expectError(unreact(carol, "1"), 404, "CHAT_REACTION_NOT_FOUND");
    expect(await reactionsNow()).toEqual([{ emote_asset_id: "1", count: 1, user_ids: [bob.id] }]);
    await expectStatus(unreact(bob, "1"), 204);
    await expectError(unreact(bob, "1"), 404, "CHAT_REACTION_NOT_FOUND");
    expect(await reactionsNow()).toEqual([]);
  });

  it("takes at most 20 distinct emotes per message, but more people on existing ones", async () => {
    const { alice, bob, react, reactionsNow } = await setup();
    for (let i = 1; i <= 20; i++) await expectStatus(react(alice, String(i)), 201);
    await expectError(react(bob, "21"), 400, "CHAT_TOO_MANY_REACTIONS");
    await expectStatus(react(bob, "20"), 201);
    const now = await reactionsNow();
    expect(now.map((r) => r.emote_asset_id)).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 1)));
    expect(now.at(-1)).toEqual({ emote_asset_id: "20", count: 2, user_ids: [alice.id, bob.id] });
  });

  it("refuses reactions on deleted or unknown messages, bad emote ids, and from non-members", async () => {
    const { alice, group, message, react, reactionsNow } = await setup();
    await expectError(react(alice, "abc"), 400, "VALIDATION_FAILED");
    await expectError(react(alice, ""), 400, "VALIDATION_FAILED");
    await expectError(react(alice, 1.5), 400, "VALIDATION_FAILED");
    const outsider = await newUser();
    await expectError(react(outsider, "1"), 404, "CHAT_CHANNEL_NOT_FOUND");
    expect(await reactionsNow()).toEqual([]);
    await expectStatus(api(alice.token).v1.channels[":channelID"].messages[":messageID"].$delete({ param: { channelID: group.id, messageID: message.id } }), 204);
    await expectError(react(alice, "1"), 404, "CHAT_MESSAGE_NOT_FOUND");
    const unknown = { channelID: group.id, messageID: "1234567890123456789" };
    await expectError(api(alice.token).v1.channels[":channelID"].messages[":messageID"].reactions.$post({ param: unknown, json: { emote_asset_id: "1" } }), 404, "CHAT_MESSAGE_NOT_FOUND");
  });

  describe("emoji", () => {
    const EMOJI = ["👍", "👍🏽", "🏳️‍🌈", "❤️"];
    const storedEmotes = async (messageId: string, channelId: string) =>
      (await (await shardOf(channelId)).prepare("select emote_asset_id as e from reactions where message_id = ? order by created_at, e").bind(messageId).all<{ e: string }>()).results.map((r) => r.e);

    it("reacts with one RGI emoji, lists and announces it as the emote id, removes it through a percent-encoded path", async () => {
      const { bob, carol, group, message, react, reactionsNow } = await setup();
      const { client } = await connect(group.id, { user: carol });
      for (const emoji of EMOJI) {
        expect(await expectStatus(react(bob, emoji), 201)).toEqual({ message: "Reaction added" });
        expect(await client.expect("reaction_add")).toMatchObject({ data: { message_id: message.id, emote_asset_id: emoji, user_id: bob.id } });
      }
      await expectStatus(react(carol, "👍"), 201);
      await client.expect("reaction_add");
      await expectError(react(bob, "👍"), 409, "CHAT_REACTION_EXISTS");
      expect(await reactionsNow()).toEqual([
        { emote_asset_id: "👍", count: 2, user_ids: [bob.id, carol.id] },
        ...EMOJI.slice(1).map((e) => ({ emote_asset_id: e, count: 1, user_ids: [bob.id] })),
      ]);
      for (const emoji of EMOJI) {
        const path = `/v1/channels/${group.id}/messages/${message.id}/reactions/${encodeURIComponent(emoji)}`;
        expect((await rawRequest("DELETE", path, { token: bob.token })).status).toBe(204);
        expect(await client.expect("reaction_remove")).toMatchObject({ data: { emote_asset_id: emoji, user_id: bob.id } });
      }
      await client.expectSilence();
      expect(await reactionsNow()).toEqual([{ emote_asset_id: "👍", count: 1, user_ids: [carol.id] }]);
    });

    it("refuses anything but one emoji or an asset id, in the body and in the path, storing nothing", async () => {
      const { alice, group, message, react, unreact } = await setup();
      for (const bad of ["ab", "👍👍", "<script>", "1a", "👍 ", " 👍", "a👍", "❤", "", "👍".repeat(40)]) {
        await expectError(react(alice, bad), 400, "VALIDATION_FAILED");
      }
      for (const bad of ["ab", "👍👍", "<script>", "1a"]) {
        const path = `/v1/channels/${group.id}/messages/${message.id}/reactions/${encodeURIComponent(bad)}`;
        await expectError(rawRequest("DELETE", path, { token: alice.token }), 400, "VALIDATION_FAILED");
      }
      await expectError(unreact(alice, "👍"), 404, "CHAT_REACTION_NOT_FOUND");
      expect(await storedEmotes(message.id, group.id)).toEqual([]);
    });

    it("counts emoji toward the 20-emote cap like asset ids", async () => {
      const { alice, bob, group, message, react } = await setup();
      for (let i = 1; i <= 19; i++) await expectStatus(react(alice, String(i)), 201);
      await expectStatus(react(alice, "🎉"), 201);
      await expectError(react(bob, "👍"), 400, "CHAT_TOO_MANY_REACTIONS");
      await expectStatus(react(bob, "🎉"), 201);
      expect((await storedEmotes(message.id, group.id)).filter((e) => e === "🎉")).toHaveLength(2);
    });
  });
});
