import { describe, expect, it } from "vitest";
import { call, createChannel, expectError, newUser, send } from "../helpers/api";

async function setup() {
  const [alice, bob, carol] = [await newUser(), await newUser(), await newUser()];
  const group = await createChannel(alice, { type: "group", name: "G", member_ids: [bob.id, carol.id] });
  const message = await send(alice, group.id, "react to me");
  const base = `/v1/channels/${group.id}/messages/${message.id}/reactions`;
  const react = (user: { token: string }, emote: unknown) => call("POST", base, { token: user.token, body: { emote_asset_id: emote } });
  const unreact = (user: { token: string }, emote: string) => call("DELETE", `${base}/${emote}`, { token: user.token });
  const reactionsNow = async () => (await call("GET", `/v1/channels/${group.id}/messages`, { token: alice.token })).json.messages[0].reactions;
  return { alice, bob, carol, group, message, react, unreact, reactionsNow };
}

describe("reactions", () => {
  it("adds (201, seed body), lists them grouped with counts and user ids, refuses duplicates (409)", async () => {
    const { alice, bob, carol, react, reactionsNow } = await setup();
    const res = await react(bob, "999888777");
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ message: "Reaction added" });
    await react(carol, 999888777); // numbers are accepted too
    await react(alice, "5");
    expectError(await react(bob, "999888777"), 409, "CHAT_REACTION_EXISTS");
    expect(await reactionsNow()).toEqual([
      { emote_asset_id: "999888777", count: 2, user_ids: [bob.id, carol.id] },
      { emote_asset_id: "5", count: 1, user_ids: [alice.id] },
    ]);
  });

  it("removes your own reaction (204); one you did not add is 404", async () => {
    const { bob, carol, react, unreact, reactionsNow } = await setup();
    await react(bob, "1");
    expectError(await unreact(carol, "1"), 404, "CHAT_REACTION_NOT_FOUND");
    expect((await unreact(bob, "1")).status).toBe(204);
    expectError(await unreact(bob, "1"), 404, "CHAT_REACTION_NOT_FOUND");
    expect(await reactionsNow()).toEqual([]);
  });

  it("takes at most 20 distinct emotes per message, but more people on existing ones", async () => {
    const { alice, bob, react } = await setup();
    for (let i = 1; i <= 20; i++) expect((await react(alice, String(i))).status).toBe(201);
    expectError(await react(bob, "21"), 400, "CHAT_TOO_MANY_REACTIONS");
    expect((await react(bob, "20")).status).toBe(201);
  });

  it("refuses reactions on deleted or unknown messages, bad emote ids, and from non-members", async () => {
    const { alice, group, message, react } = await setup();
    expectError(await react(alice, "abc"), 400, "VALIDATION_FAILED");
    expectError(await react(alice, ""), 400, "VALIDATION_FAILED");
    expectError(await react(alice, 1.5), 400, "VALIDATION_FAILED");
    const outsider = await newUser();
    expectError(await react(outsider, "1"), 404, "CHAT_CHANNEL_NOT_FOUND");
    await call("DELETE", `/v1/channels/${group.id}/messages/${message.id}`, { token: alice.token });
    expectError(await react(alice, "1"), 404, "CHAT_MESSAGE_NOT_FOUND");
    const unknown = `/v1/channels/${group.id}/messages/1234567890123456789/reactions`;
    expectError(await call("POST", unknown, { token: alice.token, body: { emote_asset_id: "1" } }), 404, "CHAT_MESSAGE_NOT_FOUND");
  });
});
