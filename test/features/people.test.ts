import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type TestUser, addMember, createChannel, expectError, expectStatus, newUser, uniqueId } from "../helpers/api";
import { api, invalid } from "../helpers/client";

// DESIGN §19: people find each other by id or by the start of any word of their name.
const find = async (user: TestUser, q: string, limit?: number) =>
  (await expectStatus(api(user.token).v1.users.$get({ query: { q, ...(limit ? { limit: String(limit) } : {}) } }), 200)).users;
const admin = api(env.ADMIN_TOKEN).admin.v1.users;

describe("people", () => {
  it("finds users by the start of their id or of any word of their name, case- and accent-insensitively, best first, never the caller", async () => {
    const tag = uniqueId("p").replace(/[^a-z0-9]/gi, "").slice(-6);
    const anna = await newUser(`Anna Smíth${tag}`);
    const smith = await newUser(`Smith${tag} Jones`);
    const searcher = await newUser(`Smith${tag} Searcher`);
    expect((await find(searcher, `smi${tag.slice(0, 0)}th${tag}`)).map((u: { id: string }) => u.id)).toEqual([smith.id, anna.id]);
    expect(await find(searcher, `SMÍTH${tag.toUpperCase()}`)).toEqual([
      { id: smith.id, display_name: smith.name },
      { id: anna.id, display_name: anna.name },
    ]);
    expect((await find(searcher, `anna smith${tag}`)).map((u: { id: string }) => u.id)).toEqual([anna.id]);
    expect((await find(searcher, anna.id)).map((u: { id: string }) => u.id)).toEqual([anna.id]);
    expect(await find(searcher, `smith${tag}`, 1)).toHaveLength(1);
    expect(await find(searcher, `"nobody${tag}`)).toEqual([]);
    await expectError(api(searcher.token).v1.users.$get({ query: { q: "" } }), 400, "VALIDATION_FAILED");
    await expectError(api(searcher.token).v1.users.$get({ query: { q: "a", limit: "51" } }), 400, "VALIDATION_FAILED");
  });

  it("shows a profile; an unknown user is 404 with how users come to exist", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const profile = await expectStatus(api(alice.token).v1.users[":userID"].$get({ param: { userID: bob.id } }), 200);
    expect(profile).toEqual({ id: bob.id, display_name: "Bob", created_at: expect.any(Number) });
    const missing = await expectError(api(alice.token).v1.users[":userID"].$get({ param: { userID: "dave-never" } }), 404, "CHAT_USER_NOT_FOUND");
    expect(missing.message).toMatch(/signed in.*provisioned/);
    const dm = await expectError(api(alice.token).v1.channels.$post({ json: { type: "dm", user_id: "dave-never" } }), 404, "CHAT_USER_NOT_FOUND");
    expect(dm.message).toContain("PUT /admin/v1/users/");
  });

  it("provisions up to 1,000 users in one call: findable and addable at once; counts created and updated; a reserved id writes nothing", async () => {
    const alice = await newUser("Alice");
    const tag = uniqueId("hr").replace(/[^a-z0-9]/gi, "").slice(-6);
    const users = Array.from({ length: 300 }, (_, i) => ({ id: `hr-${tag}-${i}`, display_name: `Hire${tag} Number${i}` }));
    expect(await expectStatus(admin.batch.$post({ json: { users } }), 200)).toEqual({ created: 300, updated: 0 });
    expect(await expectStatus(admin.batch.$post({ json: { users: [{ id: users[0]!.id, display_name: `Renamed${tag}` }, { id: `hr-${tag}-new`, display_name: "New" }] } }), 200)).toEqual({ created: 1, updated: 1 });
    expect((await find(alice, `renamed${tag}`)).map((u: { id: string }) => u.id)).toEqual([users[0]!.id]);
    expect(await find(alice, `hire${tag}`, 50)).toHaveLength(50);
    const group = await createChannel(alice, { type: "group", name: "New hires" });
    await expectStatus(addMember(alice, group.id, users[299]!.id), 201);
    await expectError(admin.batch.$post({ json: { users: [{ id: `hr-${tag}-x`, display_name: "X" }, { id: "pub_9", display_name: "Y" }] } }), 400, "VALIDATION_FAILED");
    expect(await env.DB.prepare("select id from users where id = ?").bind(`hr-${tag}-x`).first()).toBeNull();
    await expectError(admin.batch.$post({ json: invalid({ users: [] }) }), 400, "VALIDATION_FAILED");
  });
});
