import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type TestUser, addMember, call, createChannel, expectError, newUser, uniqueId } from "../helpers/api";

/** A group with an owner, an admin and two plain members. */
async function team() {
  const [owner, admin, member, other] = [await newUser("Owner"), await newUser("Admin"), await newUser("Member"), await newUser("Other")];
  const group = await createChannel(owner, { type: "group", name: "Team" });
  await addMember(owner, group.id, admin.id, "admin");
  await addMember(owner, group.id, member.id);
  await addMember(owner, group.id, other.id);
  return { owner, admin, member, other, group };
}

const roles = async (viewer: TestUser, channelId: string) => {
  const res = await call("GET", `/v1/channels/${channelId}/members`, { token: viewer.token });
  return Object.fromEntries(res.json.map((m: { user_id: string; role: string }) => [m.user_id, m.role]));
};
const remove = (actor: TestUser, channelId: string, userId: string) =>
  call("DELETE", `/v1/channels/${channelId}/members/${userId}`, { token: actor.token });
const setRole = (actor: TestUser, channelId: string, userId: string, role: string) =>
  call("PUT", `/v1/channels/${channelId}/members/${userId}`, { token: actor.token, body: { role } });

describe("add member", () => {
  it("lets admins add members (201, the seed's member object)", async () => {
    const { admin, group } = await team();
    const newcomer = await newUser("NewMember");
    const res = await addMember(admin, group.id, newcomer.id);
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ user_id: newcomer.id, display_name: "NewMember", role: "member", joined_at: expect.any(Number) });
    const count = await env.DB.prepare("select member_count from channels where id = ?").bind(group.id).first();
    expect(count).toEqual({ member_count: 5 });
  });

  it("refuses plain members (CHAT_NOT_ADMIN), admins granting admin, duplicates (409) and unknown users (404)", async () => {
    const { owner, admin, member, group } = await team();
    const newcomer = await newUser();
    expectError(await addMember(member, group.id, newcomer.id), 403, "CHAT_NOT_ADMIN");
    expectError(await addMember(admin, group.id, newcomer.id, "admin"), 403, "CHAT_NOT_ADMIN");
    expectError(await addMember(admin, group.id, member.id), 409, "CHAT_ALREADY_MEMBER");
    expectError(await addMember(member, group.id, member.id), 409, "CHAT_ALREADY_MEMBER");
    expectError(await addMember(owner, group.id, uniqueId()), 404, "CHAT_USER_NOT_FOUND");
    expectError(await call("POST", `/v1/channels/${group.id}/members`, { token: owner.token, body: { user_id: newcomer.id, role: "owner" } }), 400, "VALIDATION_FAILED");
    expectError(await call("POST", `/v1/channels/${group.id}/members`, { token: owner.token, body: {} }), 400, "VALIDATION_FAILED");
    expect(Object.keys(await roles(owner, group.id))).toHaveLength(4);
    // The owner may add an admin directly.
    expect((await addMember(owner, group.id, newcomer.id, "admin")).json.role).toBe("admin");
  });

  it("adds a user provisioned by the admin API before their first login", async () => {
    const { owner, group } = await team();
    const id = uniqueId("hire");
    await call("PUT", `/admin/v1/users/${id}`, { token: env.ADMIN_TOKEN, body: { display_name: "New Hire" } });
    const res = await addMember(owner, group.id, id);
    expect(res.status).toBe(201);
    expect(res.json.display_name).toBe("New Hire");
  });

  it("lets anyone join a room as a member, but not as admin, and not twice", async () => {
    const [owner, visitor] = [await newUser(), await newUser()];
    const room = await createChannel(owner, { type: "room", name: "Open" });
    expectError(await addMember(visitor, room.id, visitor.id, "admin"), 403, "CHAT_NOT_ADMIN");
    expect((await addMember(visitor, room.id, visitor.id)).status).toBe(201);
    expectError(await addMember(visitor, room.id, visitor.id), 409, "CHAT_ALREADY_MEMBER");
    // A non-member cannot add someone else to a room.
    const [stranger, friend] = [await newUser(), await newUser()];
    expectError(await addMember(stranger, room.id, friend.id), 403, "CHAT_NOT_MEMBER");
  });

  it("adding the same user concurrently yields one membership", async () => {
    const { owner, group } = await team();
    const newcomer = await newUser();
    const results = await Promise.all(Array.from({ length: 4 }, () => addMember(owner, group.id, newcomer.id)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    const count = await env.DB.prepare("select member_count from channels where id = ?").bind(group.id).first();
    expect(count).toEqual({ member_count: 5 });
  });
});

describe("remove member / leave", () => {
  it("lets a member leave, by id or 'me' (204)", async () => {
    const { member, other, group } = await team();
    expect((await remove(member, group.id, member.id)).status).toBe(204);
    expect((await remove(other, group.id, "me")).status).toBe(204);
    expectError(await call("GET", `/v1/channels/${group.id}`, { token: member.token }), 404, "CHAT_CHANNEL_NOT_FOUND");
    const count = await env.DB.prepare("select member_count from channels where id = ?").bind(group.id).first();
    expect(count).toEqual({ member_count: 2 });
  });

  it("applies the role rules: members cannot remove others, admins remove members, only the owner removes admins", async () => {
    const { owner, admin, member, other, group } = await team();
    expectError(await remove(member, group.id, other.id), 403, "CHAT_NOT_ADMIN");
    expectError(await remove(member, group.id, admin.id), 403, "CHAT_NOT_ADMIN");
    expectError(await remove(member, group.id, owner.id), 403, "CHAT_NOT_ADMIN");
    expect((await remove(admin, group.id, other.id)).status).toBe(204);
    const admin2 = await newUser();
    await addMember(owner, group.id, admin2.id, "admin");
    expectError(await remove(admin, group.id, admin2.id), 403, "CHAT_NOT_ADMIN");
    expectError(await remove(admin, group.id, owner.id), 403, "CHAT_CANNOT_REMOVE_OWNER");
    expect((await remove(owner, group.id, admin2.id)).status).toBe(204);
    expect(await roles(owner, group.id)).toEqual({ [owner.id]: "owner", [admin.id]: "admin", [member.id]: "member" });
  });

  it("never removes the owner, not even by themselves", async () => {
    const { owner, group } = await team();
    expectError(await remove(owner, group.id, owner.id), 403, "CHAT_CANNOT_REMOVE_OWNER");
    expectError(await remove(owner, group.id, "me"), 403, "CHAT_CANNOT_REMOVE_OWNER");
  });

  it("answers 404 CHAT_USER_NOT_FOUND for someone who is not a member", async () => {
    const { owner, group } = await team();
    const outsider = await newUser();
    expectError(await remove(owner, group.id, outsider.id), 404, "CHAT_USER_NOT_FOUND");
    expectError(await remove(owner, group.id, uniqueId()), 404, "CHAT_USER_NOT_FOUND");
  });
});

describe("roles and ownership", () => {
  it("lets only the owner grant and revoke admin", async () => {
    const { owner, admin, member, other, group } = await team();
    expectError(await setRole(admin, group.id, member.id, "admin"), 403, "CHAT_NOT_ADMIN");
    expectError(await setRole(member, group.id, other.id, "admin"), 403, "CHAT_NOT_ADMIN");
    const granted = await setRole(owner, group.id, member.id, "admin");
    expect(granted.status).toBe(200);
    expect(granted.json).toMatchObject({ user_id: member.id, role: "admin" });
    expect((await setRole(owner, group.id, admin.id, "member")).json.role).toBe("member");
    expect(await roles(owner, group.id)).toMatchObject({ [member.id]: "admin", [admin.id]: "member" });
    expectError(await setRole(owner, group.id, uniqueId(), "admin"), 404, "CHAT_USER_NOT_FOUND");
    expectError(await setRole(owner, group.id, member.id, "king"), 400, "VALIDATION_FAILED");
  });

  it("transfers ownership: the new owner gets the channel, the old one becomes admin", async () => {
    const { owner, member, group } = await team();
    const res = await setRole(owner, group.id, member.id, "owner");
    expect(res.status).toBe(200);
    expect(res.json.role).toBe("owner");
    expect((await call("GET", `/v1/channels/${group.id}`, { token: owner.token })).json.owner_id).toBe(member.id);
    expect(await roles(owner, group.id)).toMatchObject({ [owner.id]: "admin", [member.id]: "owner" });
    // The former owner can now leave; the new owner cannot.
    expectError(await remove(member, group.id, "me"), 403, "CHAT_CANNOT_REMOVE_OWNER");
    expect((await remove(owner, group.id, "me")).status).toBe(204);
  });

  it("keeps the owner's role until ownership is transferred", async () => {
    const { owner, group } = await team();
    expectError(await setRole(owner, group.id, owner.id, "member"), 403, "CHAT_CANNOT_REMOVE_OWNER");
  });
});

describe("member list paging", () => {
  it("pages in join order through the Link header, visiting every member once", async () => {
    const owner = await newUser();
    const room = await createChannel(owner, { type: "room", name: "Crowd" });
    // Joins in parallel share milliseconds: the user id breaks ties.
    const joiners = await Promise.all(Array.from({ length: 25 }, () => newUser()));
    await Promise.all(joiners.map((u) => addMember(u, room.id, u.id)));
    const all = (await call("GET", `/v1/channels/${room.id}/members`, { token: owner.token })).json.map((m: { user_id: string }) => m.user_id);
    expect(all).toHaveLength(26);

    const seen: string[] = [];
    let path: string | undefined = `/v1/channels/${room.id}/members?limit=7`;
    while (path) {
      const res = await call("GET", path, { token: owner.token });
      expect(res.status).toBe(200);
      expect(res.json.length).toBeLessThanOrEqual(7);
      seen.push(...res.json.map((m: { user_id: string }) => m.user_id));
      path = res.headers.get("Link")?.match(/^<([^>]+)>; rel="next"$/)?.[1];
    }
    expect(seen).toEqual(all);
    for (const q of ["limit=0", "limit=1001", "after=nope", "after=12.bad id"]) {
      expectError(await call("GET", `/v1/channels/${room.id}/members?${q}`, { token: owner.token }), 400, "VALIDATION_FAILED");
    }
  });
});
