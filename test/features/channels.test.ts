import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Channel, type TestUser, addMember, createChannel, expectError, expectStatus, newUser, uniqueId } from "../helpers/api";
import { api, invalid } from "../helpers/client";

const v1 = (user: TestUser) => api(user.token).v1;
const channel = (user: TestUser, channelID: string) => v1(user).channels[":channelID"];
const param = (channelID: string) => ({ param: { channelID } });
const myChannels = (user: TestUser, include_hidden?: "true") => expectStatus(v1(user).channels.$get({ query: { include_hidden } }), 200);

describe("create channel", () => {
  it("creates a group with exactly the seed's fields, owned by the creator", async () => {
    const alice = await newUser("Alice");
    const t0 = Date.now();
    const created = await expectStatus(v1(alice).channels.$post({ json: { type: "group", name: "My Group" } }), 201);
    const t1 = Date.now();
    expect(created).toEqual({
      id: expect.stringMatching(/^\d{19}$/),
      type: "group",
      name: "My Group",
      owner_id: alice.id,
      created_at: expect.any(Number),
      broadcast: false,
      archived: false,
      slow_mode_s: 0, // DESIGN §15: slow mode is shown in the channel object
    });
    // Unix seconds of the request, however long it took.
    expect(created.created_at).toBeGreaterThanOrEqual(Math.floor(t0 / 1000));
    expect(created.created_at).toBeLessThanOrEqual(Math.ceil(t1 / 1000));
    const members = await expectStatus(channel(alice, created.id).members.$get({ ...param(created.id), query: {} }), 200);
    expect(members).toEqual([{ user_id: alice.id, display_name: "Alice", role: "owner", joined_at: expect.any(Number) }]);
  });

  it("creates a room and a broadcast group with initial members", async () => {
    const [alice, bob, carol] = [await newUser(), await newUser(), await newUser()];
    const room = await createChannel(alice, { type: "room", name: "Public Room" });
    expect(room.type).toBe("room");
    const created = await expectStatus(
      v1(alice).channels.$post({ json: { type: "group", name: "Announcements", broadcast: true, member_ids: [bob.id, carol.id, bob.id, alice.id] } }),
      201,
    );
    expect(created.broadcast).toBe(true);
    const members = await expectStatus(channel(bob, created.id).members.$get({ ...param(created.id), query: {} }), 200);
    expect(members.map((m) => [m.user_id, m.role]).sort()).toEqual([[alice.id, "owner"], [bob.id, "member"], [carol.id, "member"]].sort());
  });

  it("creates a group with 100 initial members (D1's parameter limit is respected)", async () => {
    const owner = await newUser();
    const ids = [];
    for (let i = 0; i < 100; i++) ids.push((await newUser()).id);
    const created = await expectStatus(v1(owner).channels.$post({ json: { type: "group", name: "Big", member_ids: ids } }), 201);
    const members = await expectStatus(channel(owner, created.id).members.$get({ ...param(created.id), query: {} }), 200);
    expect(members).toHaveLength(101);
  });

  it("refuses unknown initial members and changes nothing", async () => {
    const alice = await newUser();
    const ghost = uniqueId("ghost");
    await expectError(v1(alice).channels.$post({ json: { type: "group", name: "G", member_ids: [ghost] } }), 404, "CHAT_USER_NOT_FOUND");
    expect(await myChannels(alice)).toEqual([]);
  });

  it("validates type, name length (code points) and field types", async () => {
    const alice = await newUser();
    const bad = [
      { type: "group" },
      { type: "group", name: "" },
      { type: "group", name: "   " },
      { type: "room", name: "x".repeat(101) },
      { type: "group", name: 42 },
      { type: "group", name: "ok", broadcast: "yes" },
      { type: "channel", name: "x" },
      { type: "group", name: "tab\there" },
      { type: "dm" },
      { type: "dm", user_id: "bad id" },
      [],
      "group",
    ];
    for (const body of bad) {
      const err = await expectError(v1(alice).channels.$post({ json: invalid(body) }), 400, "VALIDATION_FAILED");
      expect(Array.isArray(err.details) && err.details.length > 0, JSON.stringify(body)).toBe(true);
    }
    expect(await myChannels(alice)).toEqual([]);
    // 100 emoji are 100 characters (200 UTF-16 units): accepted.
    await expectStatus(v1(alice).channels.$post({ json: { type: "group", name: "😀".repeat(100) } }), 201);
    // Unknown fields are ignored.
    const extra = await expectStatus(v1(alice).channels.$post({ json: invalid({ type: "room", name: "R", color: "red" }) }), 201);
    expect(extra).not.toHaveProperty("color");
  });
});

describe("direct messages", () => {
  it("creates a DM once per pair: the second request (either side) returns it with 200", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const first = await expectStatus(v1(alice).channels.$post({ json: { type: "dm", user_id: bob.id } }), 201);
    expect(first).toMatchObject({ type: "dm", name: "", owner_id: null, other_user_id: bob.id, other_user_name: "Bob" });
    const again = await expectStatus(v1(alice).channels.$post({ json: { type: "dm", user_id: bob.id } }), 200);
    expect(again.id).toBe(first.id);
    const reverse = await expectStatus(v1(bob).channels.$post({ json: { type: "dm", user_id: alice.id } }), 200);
    expect(reverse).toMatchObject({ id: first.id, other_user_id: alice.id, other_user_name: "Alice" });
  });

  it("survives concurrent creation: one DM, everyone gets its id", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const results = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const res = await v1(i % 2 ? alice : bob).channels.$post({ json: { type: "dm", user_id: (i % 2 ? bob : alice).id } });
        return { status: res.status, channel: await res.json() };
      }),
    );
    expect(new Set(results.map((r) => r.channel.id)).size).toBe(1);
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    const { count } = (await env.DB.prepare("select count(*) as count from channels where dm_key = ?")
      .bind([alice.id, bob.id].sort().join(" "))
      .first<{ count: number }>())!;
    expect(count).toBe(1);
  });

  it("refuses a DM with yourself, an unknown user, or across a block", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    await expectError(v1(alice).channels.$post({ json: { type: "dm", user_id: alice.id } }), 400, "CHAT_CANNOT_DM_SELF");
    await expectError(v1(alice).channels.$post({ json: { type: "dm", user_id: uniqueId() } }), 404, "CHAT_USER_NOT_FOUND");
    await expectStatus(v1(bob).users.me.blocks[":userID"].$put({ param: { userID: alice.id } }), 204);
    await expectError(v1(alice).channels.$post({ json: { type: "dm", user_id: bob.id } }), 403, "CHAT_DM_BLOCKED_USER");
    await expectError(v1(bob).channels.$post({ json: { type: "dm", user_id: alice.id } }), 403, "CHAT_DM_BLOCKED_USER");
    expect(await myChannels(alice)).toEqual([]);
  });

  it("cannot be renamed, archived, deleted or have members changed", async () => {
    const [alice, bob, carol] = [await newUser(), await newUser(), await newUser()];
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    await expectError(channel(alice, dm.id).$put({ ...param(dm.id), json: { name: "x" } }), 400, "CHAT_CANNOT_MODIFY_DM");
    await expectError(channel(alice, dm.id).$put({ ...param(dm.id), json: { archived: true } }), 400, "CHAT_CANNOT_MODIFY_DM");
    await expectError(channel(alice, dm.id).$delete(param(dm.id)), 400, "CHAT_CANNOT_MODIFY_DM");
    await expectError(addMember(alice, dm.id, carol.id), 400, "CHAT_CANNOT_MODIFY_DM");
    await expectError(channel(alice, dm.id).members[":userID"].$delete({ param: { channelID: dm.id, userID: bob.id } }), 400, "CHAT_CANNOT_MODIFY_DM");
    await expectError(channel(carol, dm.id).$get(param(dm.id)), 404, "CHAT_CHANNEL_NOT_FOUND");
    expect(await expectStatus(channel(alice, dm.id).$get(param(dm.id)), 200)).toMatchObject({ id: dm.id, name: "", archived: false });
    const members = await expectStatus(channel(alice, dm.id).members.$get({ ...param(dm.id), query: {} }), 200);
    expect(members.map((m) => m.user_id).sort()).toEqual([alice.id, bob.id].sort());
  });
});

describe("get, update, archive, delete", () => {
  it("lets the owner and admins rename; plain members get CHAT_NOT_ADMIN", async () => {
    const [owner, admin, member] = [await newUser(), await newUser(), await newUser()];
    const group = await createChannel(owner, { type: "group", name: "Old" });
    await expectStatus(addMember(owner, group.id, admin.id, "admin"), 201);
    await expectStatus(addMember(owner, group.id, member.id), 201);
    await expectError(channel(member, group.id).$put({ ...param(group.id), json: { name: "Nope" } }), 403, "CHAT_NOT_ADMIN");
    const renamed = await expectStatus(channel(admin, group.id).$put({ ...param(group.id), json: { name: "  New Group Name  " } }), 200);
    expect(renamed).toMatchObject({ id: group.id, name: "New Group Name", owner_id: owner.id });
    expect((await expectStatus(channel(member, group.id).$get(param(group.id)), 200)).name).toBe("New Group Name");
    await expectError(channel(owner, group.id).$put({ ...param(group.id), json: {} }), 400, "VALIDATION_FAILED");
    await expectError(channel(owner, group.id).$put({ ...param(group.id), json: { name: "" } }), 400, "VALIDATION_FAILED");
    expect((await expectStatus(channel(owner, group.id).$get(param(group.id)), 200)).name).toBe("New Group Name");
  });

  it("archives: hidden from the list unless include_hidden=true, and can be unarchived", async () => {
    const owner = await newUser();
    const group = await createChannel(owner, { type: "group", name: "G" });
    const archived = await expectStatus(channel(owner, group.id).$put({ ...param(group.id), json: { archived: true } }), 200);
    expect(archived.archived).toBe(true);
    expect(await myChannels(owner)).toEqual([]);
    expect((await myChannels(owner, "true")).map((c) => c.id)).toEqual([group.id]);
    await expectStatus(channel(owner, group.id).$put({ ...param(group.id), json: { archived: false } }), 200);
    expect(await myChannels(owner)).toHaveLength(1);
    await expectError(v1(owner).channels.$get({ query: invalid({ include_hidden: "maybe" }) }), 400, "VALIDATION_FAILED");
  });

  it("toggles broadcast (admins only)", async () => {
    const [owner, member] = [await newUser(), await newUser()];
    const room = await createChannel(owner, { type: "room", name: "R" });
    await expectStatus(addMember(member, room.id, member.id), 201);
    await expectError(channel(member, room.id).$put({ ...param(room.id), json: { broadcast: true } }), 403, "CHAT_NOT_ADMIN");
    expect((await expectStatus(channel(owner, room.id).$get(param(room.id)), 200)).broadcast).toBe(false);
    const updated = await expectStatus(channel(owner, room.id).$put({ ...param(room.id), json: { broadcast: true } }), 200);
    expect(updated.broadcast).toBe(true);
  });

  it("deletes by the owner only, with its memberships", async () => {
    const [owner, admin] = [await newUser(), await newUser()];
    const group = await createChannel(owner, { type: "group", name: "G" });
    await expectStatus(addMember(owner, group.id, admin.id, "admin"), 201);
    await expectError(channel(admin, group.id).$delete(param(group.id)), 403, "CHAT_NOT_ADMIN");
    await expectStatus(channel(owner, group.id).$get(param(group.id)), 200);
    await expectStatus(channel(owner, group.id).$delete(param(group.id)), 204);
    await expectError(channel(owner, group.id).$get(param(group.id)), 404, "CHAT_CHANNEL_NOT_FOUND");
    const rows = await env.DB.prepare("select count(*) as n from channel_members where channel_id = ?").bind(group.id).first();
    expect(rows).toEqual({ n: 0 });
    expect(await myChannels(admin)).toEqual([]);
  });

  it("answers 404 for unknown and malformed channel ids", async () => {
    const user = await newUser();
    for (const id of ["1234567890123456789", "abc", "0", "9".repeat(30)]) {
      await expectError(channel(user, id).$get(param(id)), 404, "CHAT_CHANNEL_NOT_FOUND");
    }
  });
});

describe("visibility: private groups, public rooms", () => {
  it("hides a group from non-members entirely (404 for every operation)", async () => {
    const [owner, outsider] = [await newUser(), await newUser()];
    const group = await createChannel(owner, { type: "group", name: "Secret" });
    const c = channel(outsider, group.id);
    const p = param(group.id);
    for (const res of [
      await c.$get(p),
      await c.$put({ ...p, json: { name: "x" } }),
      await c.$delete(p),
      await c.members.$get({ ...p, query: {} }),
      await c.members.$post({ ...p, json: { user_id: outsider.id } }),
      await c.members.me.$put({ ...p, json: { hidden: true } }),
      await c.members[":userID"].$delete({ param: { channelID: group.id, userID: owner.id } }),
    ]) {
      await expectError(res, 404, "CHAT_CHANNEL_NOT_FOUND");
    }
    const rooms = await expectStatus(v1(outsider).rooms.$get({ query: { limit: "100" } }), 200);
    expect(rooms.rooms.map((r) => r.id)).not.toContain(group.id);
    expect(await expectStatus(channel(owner, group.id).$get(p), 200)).toMatchObject({ name: "Secret" });
    expect(await expectStatus(channel(owner, group.id).members.$get({ ...p, query: {} }), 200)).toHaveLength(1);
  });

  it("shows a room to anyone, lets them join themselves, and needs membership to change it", async () => {
    const [owner, visitor] = [await newUser(), await newUser("Visitor")];
    const room = await createChannel(owner, { type: "room", name: "Lobby" });
    const c = channel(visitor, room.id);
    const got = await expectStatus(c.$get(param(room.id)), 200);
    expect(got.name).toBe("Lobby");
    expect(await expectStatus(c.members.$get({ ...param(room.id), query: {} }), 200)).toHaveLength(1);
    await expectError(c.$put({ ...param(room.id), json: { name: "x" } }), 403, "CHAT_NOT_MEMBER");
    await expectError(c.members.me.$put({ ...param(room.id), json: { hidden: true } }), 403, "CHAT_NOT_MEMBER");
    const joined = await expectStatus(addMember(visitor, room.id, visitor.id), 201);
    expect(joined).toMatchObject({ user_id: visitor.id, display_name: "Visitor", role: "member" });
    expect((await myChannels(visitor)).map((c) => c.id)).toEqual([room.id]);
    expect((await expectStatus(c.$get(param(room.id)), 200)).name).toBe("Lobby");
  });

  it("lists rooms for discovery with paging, member counts and is_member", async () => {
    const [owner, visitor] = [await newUser(), await newUser()];
    const created: Channel[] = [];
    for (let i = 0; i < 5; i++) created.push(await createChannel(owner, { type: "room", name: `Room ${i}` }));
    const archived = await createChannel(owner, { type: "room", name: "Old" });
    await expectStatus(channel(owner, archived.id).$put({ ...param(archived.id), json: { archived: true } }), 200);
    await expectStatus(addMember(visitor, created[4]!.id, visitor.id), 201);

    const seen: { id: string; name: string; member_count: number; is_member: boolean }[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await expectStatus(v1(visitor).rooms.$get({ query: { limit: "2", before } }), 200);
      seen.push(...page.rooms);
      if (!page.has_more) break;
      before = page.rooms.at(-1)!.id;
    }
    const mine = seen.filter((r) => created.some((c) => c.id === r.id));
    expect(mine.map((r) => r.id)).toEqual(created.map((c) => c.id).reverse());
    expect(seen.some((r) => r.id === archived.id)).toBe(false);
    expect(mine[0]).toMatchObject({ name: "Room 4", member_count: 2, is_member: true });
    expect(mine[1]).toMatchObject({ member_count: 1, is_member: false });
    await expectError(v1(visitor).rooms.$get({ query: { limit: "0" } }), 400, "VALIDATION_FAILED");
    await expectError(v1(visitor).rooms.$get({ query: { limit: "101" } }), 400, "VALIDATION_FAILED");
  });
});

describe("list channels", () => {
  it("returns the seed's fields, DM partner names, and latest activity first", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("FriendName")];
    const group = await createChannel(alice, { type: "group", name: "Project Team" });
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    expect(await myChannels(alice)).toEqual([
      {
        id: dm.id,
        type: "dm",
        name: "",
        owner_id: null,
        created_at: expect.any(Number),
        unread_count: 0,
        mention_count: 0,
        last_message_at: null,
        last_read_message_id: null,
        other_user_id: bob.id,
        other_user_name: "FriendName",
        broadcast: false,
        archived: false,
        slow_mode_s: 0,
        hidden: false,
        role: "member",
        muted_until: null,
      },
      {
        id: group.id,
        type: "group",
        name: "Project Team",
        owner_id: alice.id,
        created_at: expect.any(Number),
        unread_count: 0,
        mention_count: 0,
        last_message_at: null,
        last_read_message_id: null,
        broadcast: false,
        archived: false,
        slow_mode_s: 0,
        hidden: false,
        role: "owner",
        muted_until: null,
      },
    ]);
  });

  it("hides a channel for one member only; include_hidden shows it; reopening a DM unhides it", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    const hide = await expectStatus(channel(alice, dm.id).members.me.$put({ ...param(dm.id), json: { hidden: true } }), 200);
    expect(hide).toMatchObject({ user_id: alice.id, hidden: true, role: "member" });
    expect(await myChannels(alice)).toEqual([]);
    expect(await myChannels(bob)).toHaveLength(1);
    expect(await myChannels(alice, "true")).toMatchObject([{ id: dm.id, hidden: true }]);
    await expectStatus(v1(alice).channels.$post({ json: { type: "dm", user_id: bob.id } }), 200);
    expect(await myChannels(alice)).toMatchObject([{ id: dm.id, hidden: false }]);
    await expectError(channel(alice, dm.id).members.me.$put({ ...param(dm.id), json: invalid({ hidden: "yes" }) }), 400, "VALIDATION_FAILED");
    expect(await myChannels(alice)).toMatchObject([{ id: dm.id, hidden: false }]);
  });

  it("lists 100 channels with a constant number of queries", async () => {
    const user = await newUser();
    for (let i = 0; i < 100; i++) await createChannel(user, { type: "group", name: `G${i}` });
    const res = await v1(user).channels.$get({ query: {} });
    expect(await expectStatus(res, 200)).toHaveLength(100);
    expect(res.headers.get("Server-Timing")).toMatch(/d1;dur=[\d.]+;desc="1 queries"/);
  });
});
