import { SELF, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type TestUser, addMember, createChannel, expectError, expectStatus, newUser, uniqueId } from "../helpers/api";
import { api, invalid } from "../helpers/client";

/** A group with an owner, an admin and two plain members. */
async function team() {
  const [owner, admin, member, other] = [await newUser("Owner"), await newUser("Admin"), await newUser("Member"), await newUser("Other")];
  const group = await createChannel(owner, { type: "group", name: "Team" });
  await expectStatus(addMember(owner, group.id, admin.id, "admin"), 201);
  await expectStatus(addMember(owner, group.id, member.id), 201);
  await expectStatus(addMember(owner, group.id, other.id), 201);
  return { owner, admin, member, other, group };
}

const members = (viewer: TestUser, channelID: string) => api(viewer.token).v1.channels[":channelID"].members;
const roles = async (viewer: TestUser, channelID: string) => {
  const list = await expectStatus(members(viewer, channelID).$get({ param: { channelID }, query: {} }), 200);
  return Object.fromEntries(list.map((m) => [m.user_id, m.role]));
};
const remove = (actor: TestUser, channelID: string, userID: string) => members(actor, channelID)[":userID"].$delete({ param: { channelID, userID } });
const setRole = (actor: TestUser, channelID: string, userID: string, role: "owner" | "admin" | "member") =>
  members(actor, channelID)[":userID"].$put({ param: { channelID, userID }, json: { role } });
const memberCount = (channelId: string) => env.DB.prepare("select member_count from channels where id = ?").bind(channelId).first();

describe("add member", () => {
  it("lets admins add members (201, the seed's member object)", async () => {
    const { admin, group } = await team();
    const newcomer = await newUser("NewMember");
    const added = await expectStatus(addMember(admin, group.id, newcomer.id), 201);
    expect(added).toEqual({ user_id: newcomer.id, display_name: "NewMember", role: "member", joined_at: expect.any(Number) });
    expect(await memberCount(group.id)).toEqual({ member_count: 5 });
  });

  it("refuses plain members (CHAT_NOT_ADMIN), admins granting admin, duplicates (409) and unknown users (404)", async () => {
    const { owner, admin, member, group } = await team();
    const newcomer = await newUser();
    const before = await roles(owner, group.id);
    await expectError(addMember(member, group.id, newcomer.id), 403, "CHAT_NOT_ADMIN");
    await expectError(addMember(admin, group.id, newcomer.id, "admin"), 403, "CHAT_NOT_ADMIN");
    await expectError(addMember(admin, group.id, member.id), 409, "CHAT_ALREADY_MEMBER");
    await expectError(addMember(member, group.id, member.id), 409, "CHAT_ALREADY_MEMBER");
    await expectError(addMember(owner, group.id, uniqueId()), 404, "CHAT_USER_NOT_FOUND");
    const add = members(owner, group.id);
    await expectError(add.$post({ param: { channelID: group.id }, json: invalid({ user_id: newcomer.id, role: "owner" }) }), 400, "VALIDATION_FAILED");
    await expectError(add.$post({ param: { channelID: group.id }, json: invalid({}) }), 400, "VALIDATION_FAILED");
    expect(await roles(owner, group.id)).toEqual(before);
    expect(Object.keys(before)).toHaveLength(4);
    // The owner may add an admin directly.
    expect((await expectStatus(addMember(owner, group.id, newcomer.id, "admin"), 201)).role).toBe("admin");
  });

  it("adds a user provisioned by the admin API before their first login", async () => {
    const { owner, group } = await team();
    const id = uniqueId("hire");
    await expectStatus(api(env.ADMIN_TOKEN).admin.v1.users[":userID"].$put({ param: { userID: id }, json: { display_name: "New Hire" } }), 201);
    const added = await expectStatus(addMember(owner, group.id, id), 201);
    expect(added.display_name).toBe("New Hire");
  });

  it("lets anyone join a room as a member, but not as admin, and not twice", async () => {
    const [owner, visitor] = [await newUser(), await newUser()];
    const room = await createChannel(owner, { type: "room", name: "Open" });
    await expectError(addMember(visitor, room.id, visitor.id, "admin"), 403, "CHAT_NOT_ADMIN");
    await expectStatus(addMember(visitor, room.id, visitor.id), 201);
    await expectError(addMember(visitor, room.id, visitor.id), 409, "CHAT_ALREADY_MEMBER");
    // A non-member cannot add someone else to a room.
    const [stranger, friend] = [await newUser(), await newUser()];
    await expectError(addMember(stranger, room.id, friend.id), 403, "CHAT_NOT_MEMBER");
    // "me" names the caller, as in DELETE …/members/me.
    const joined = await expectStatus(addMember(friend, room.id, "me"), 201);
    expect(joined).toMatchObject({ user_id: friend.id, role: "member" });
    await expectError(addMember(friend, room.id, "me"), 409, "CHAT_ALREADY_MEMBER");
    expect(await roles(owner, room.id)).toEqual({ [owner.id]: "owner", [visitor.id]: "member", [friend.id]: "member" });
  });

  it("adding the same user concurrently yields one membership", async () => {
    const { owner, group } = await team();
    const newcomer = await newUser();
    const results = await Promise.all(Array.from({ length: 4 }, () => addMember(owner, group.id, newcomer.id)));
    expect(results.map((r) => r.status as number).sort()).toEqual([201, 409, 409, 409]);
    for (const res of results) {
      if (res.status === 201) await expectStatus(res, 201);
      else await expectError(res, 409, "CHAT_ALREADY_MEMBER");
    }
    expect(await memberCount(group.id)).toEqual({ member_count: 5 });
  });
});

describe("remove member / leave", () => {
  it("lets a member leave, by id or 'me' (204)", async () => {
    const { member, other, group } = await team();
    await expectStatus(remove(member, group.id, member.id), 204);
    await expectStatus(remove(other, group.id, "me"), 204);
    await expectError(api(member.token).v1.channels[":channelID"].$get({ param: { channelID: group.id } }), 404, "CHAT_CHANNEL_NOT_FOUND");
    expect(await memberCount(group.id)).toEqual({ member_count: 2 });
  });

  it("applies the role rules: members cannot remove others, admins remove members, only the owner removes admins", async () => {
    const { owner, admin, member, other, group } = await team();
    await expectError(remove(member, group.id, other.id), 403, "CHAT_NOT_ADMIN");
    await expectError(remove(member, group.id, admin.id), 403, "CHAT_NOT_ADMIN");
    await expectError(remove(member, group.id, owner.id), 403, "CHAT_NOT_ADMIN");
    await expectStatus(remove(admin, group.id, other.id), 204);
    const admin2 = await newUser();
    await expectStatus(addMember(owner, group.id, admin2.id, "admin"), 201);
    await expectError(remove(admin, group.id, admin2.id), 403, "CHAT_NOT_ADMIN");
    await expectError(remove(admin, group.id, owner.id), 403, "CHAT_CANNOT_REMOVE_OWNER");
    await expectStatus(remove(owner, group.id, admin2.id), 204);
    expect(await roles(owner, group.id)).toEqual({ [owner.id]: "owner", [admin.id]: "admin", [member.id]: "member" });
  });

  it("never removes the owner, not even by themselves", async () => {
    const { owner, group } = await team();
    await expectError(remove(owner, group.id, owner.id), 403, "CHAT_CANNOT_REMOVE_OWNER");
    await expectError(remove(owner, group.id, "me"), 403, "CHAT_CANNOT_REMOVE_OWNER");
    expect((await roles(owner, group.id))[owner.id]).toBe("owner");
  });

  it("answers 404 CHAT_USER_NOT_FOUND for someone who is not a member", async () => {
    const { owner, group } = await team();
    const outsider = await newUser();
    await expectError(remove(owner, group.id, outsider.id), 404, "CHAT_USER_NOT_FOUND");
    await expectError(remove(owner, group.id, uniqueId()), 404, "CHAT_USER_NOT_FOUND");
    expect(Object.keys(await roles(owner, group.id))).toHaveLength(4);
  });
});

describe("roles and ownership", () => {
  it("lets only the owner grant and revoke admin", async () => {
    const { owner, admin, member, other, group } = await team();
    await expectError(setRole(admin, group.id, member.id, "admin"), 403, "CHAT_NOT_ADMIN");
    await expectError(setRole(member, group.id, other.id, "admin"), 403, "CHAT_NOT_ADMIN");
    const granted = await expectStatus(setRole(owner, group.id, member.id, "admin"), 200);
    expect(granted).toMatchObject({ user_id: member.id, role: "admin" });
    expect((await expectStatus(setRole(owner, group.id, admin.id, "member"), 200)).role).toBe("member");
    expect(await roles(owner, group.id)).toMatchObject({ [member.id]: "admin", [admin.id]: "member" });
    await expectError(setRole(owner, group.id, uniqueId(), "admin"), 404, "CHAT_USER_NOT_FOUND");
    await expectError(setRole(owner, group.id, member.id, invalid("king")), 400, "VALIDATION_FAILED");
    expect(await roles(owner, group.id)).toEqual({ [owner.id]: "owner", [admin.id]: "member", [member.id]: "admin", [other.id]: "member" });
  });

  it("transfers ownership: the new owner gets the channel, the old one becomes admin", async () => {
    const { owner, member, group } = await team();
    const transferred = await expectStatus(setRole(owner, group.id, member.id, "owner"), 200);
    expect(transferred.role).toBe("owner");
    const channel = await expectStatus(api(owner.token).v1.channels[":channelID"].$get({ param: { channelID: group.id } }), 200);
    expect(channel.owner_id).toBe(member.id);
    expect(await roles(owner, group.id)).toMatchObject({ [owner.id]: "admin", [member.id]: "owner" });
    // The former owner can now leave; the new owner cannot.
    await expectError(remove(member, group.id, "me"), 403, "CHAT_CANNOT_REMOVE_OWNER");
    await expectStatus(remove(owner, group.id, "me"), 204);
  });

  it("keeps the owner's role until ownership is transferred", async () => {
    const { owner, group } = await team();
    await expectError(setRole(owner, group.id, owner.id, "member"), 403, "CHAT_CANNOT_REMOVE_OWNER");
    expect((await roles(owner, group.id))[owner.id]).toBe("owner");
  });
});

describe("member list paging", () => {
  it("pages in join order through the Link header, visiting every member once", async () => {
    const owner = await newUser();
    const room = await createChannel(owner, { type: "room", name: "Crowd" });
    // Joins in parallel share milliseconds: the user id breaks ties.
    const joiners = await Promise.all(Array.from({ length: 25 }, () => newUser()));
    await Promise.all(joiners.map((u) => expectStatus(addMember(u, room.id, u.id), 201)));
    const list = members(owner, room.id);
    const all = (await expectStatus(list.$get({ param: { channelID: room.id }, query: {} }), 200)).map((m) => m.user_id);
    expect(all).toHaveLength(26);

    const seen: string[] = [];
    let query: { limit: string; after?: string } | undefined = { limit: "7" };
    while (query) {
      const res = await list.$get({ param: { channelID: room.id }, query });
      const link = res.headers.get("Link");
      const page = await expectStatus(res, 200);
      expect(page.length).toBeLessThanOrEqual(7);
      seen.push(...page.map((m) => m.user_id));
      const next = link?.match(/^<([^>]+)>; rel="next"$/)?.[1];
      if (next) {
        // The link names this same route; follow it with the typed client (its query only).
        const url = new URL(next, "http://api.test");
        expect(url.pathname).toBe(`/v1/channels/${room.id}/members`);
        expect([...url.searchParams.keys()].sort()).toEqual(["after", "limit"]);
        query = { limit: url.searchParams.get("limit")!, after: url.searchParams.get("after")! };
      } else {
        query = undefined;
      }
    }
    expect(seen).toEqual(all);
    for (const q of [{ limit: "0" }, { limit: "1001" }, { after: "nope" }, { after: "12.bad id" }]) {
      await expectError(list.$get({ param: { channelID: room.id }, query: q }), 400, "VALIDATION_FAILED");
    }
  });
});

describe("ownerless channels", () => {
  it("an admin cannot make anyone owner of a channel that has none, nor delete it; the admin API assigns an owner, who then can", async () => {
    const [admin, member] = [await newUser("Admin"), await newUser("Member")];
    const group = await createChannel(admin, { type: "group", name: "Ownerless", member_ids: [member.id] });
    // As a channel made through the integration API without admins ends up, with one admin since.
    await env.DB.batch([
      env.DB.prepare("UPDATE channels SET owner_id = NULL WHERE id = ?").bind(group.id),
      env.DB.prepare("UPDATE channel_members SET role = 'admin' WHERE channel_id = ? AND user_id = ?").bind(group.id, admin.id),
    ]);
    const role = (userID: string, r: "owner" | "admin" | "member") =>
      api(admin.token).v1.channels[":channelID"].members[":userID"].$put({ param: { channelID: group.id, userID }, json: { role: r } });
    await expectError(role(admin.id, "owner"), 403, "CHAT_NOT_ADMIN");
    await expectError(role(member.id, "owner"), 403, "CHAT_NOT_ADMIN");
    await expectStatus(role(member.id, "admin"), 200); // managing admins stays possible
    const deleteIt = () => api(admin.token).v1.channels[":channelID"].$delete({ param: { channelID: group.id } });
    await expectError(deleteIt(), 403, "CHAT_NOT_ADMIN");
    const channel = await expectStatus(api(admin.token).v1.channels[":channelID"].$get({ param: { channelID: group.id } }), 200);
    expect(channel.owner_id).toBeNull();

    const assign = (user_id: string) =>
      SELF.fetch(`http://localhost/admin/v1/channels/${group.id}/owner`, { method: "PUT", headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}`, "Content-Type": "application/json" }, body: JSON.stringify({ user_id }) });
    await expectError(assign((await newUser()).id), 404, "CHAT_USER_NOT_FOUND");
    expect(await expectStatus(assign(admin.id), 200)).toMatchObject({ user_id: admin.id, role: "owner" });
    expect((await expectStatus(api(admin.token).v1.channels[":channelID"].$get({ param: { channelID: group.id } }), 200)).owner_id).toBe(admin.id);
    await expectStatus(deleteIt(), 204);
  });
});
