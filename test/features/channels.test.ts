import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { addMember, call, createChannel, expectError, newUser, uniqueId } from "../helpers/api";

describe("create channel", () => {
  it("creates a group with exactly the seed's fields, owned by the creator", async () => {
    const alice = await newUser("Alice");
    const res = await call("POST", "/v1/channels", { token: alice.token, body: { type: "group", name: "My Group" } });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.stringMatching(/^\d{19}$/),
      type: "group",
      name: "My Group",
      owner_id: alice.id,
      created_at: expect.any(Number),
      broadcast: false,
      archived: false,
    });
    expect(Math.abs(res.json.created_at - Date.now() / 1000)).toBeLessThan(60);
    const members = await call("GET", `/v1/channels/${res.json.id}/members`, { token: alice.token });
    expect(members.json).toEqual([{ user_id: alice.id, display_name: "Alice", role: "owner", joined_at: expect.any(Number) }]);
  });

  it("creates a room and a broadcast group with initial members", async () => {
    const [alice, bob, carol] = [await newUser(), await newUser(), await newUser()];
    const room = await createChannel(alice, { type: "room", name: "Public Room" });
    expect(room.type).toBe("room");
    const res = await call("POST", "/v1/channels", {
      token: alice.token,
      body: { type: "group", name: "Announcements", broadcast: true, member_ids: [bob.id, carol.id, bob.id, alice.id] },
    });
    expect(res.status).toBe(201);
    expect(res.json.broadcast).toBe(true);
    const members = await call("GET", `/v1/channels/${res.json.id}/members`, { token: bob.token });
    expect(members.json.map((m: { user_id: string; role: string }) => [m.user_id, m.role]).sort()).toEqual(
      [[alice.id, "owner"], [bob.id, "member"], [carol.id, "member"]].sort(),
    );
  });

  it("creates a group with 100 initial members (D1's parameter limit is respected)", async () => {
    const owner = await newUser();
    const ids = [];
    for (let i = 0; i < 100; i++) ids.push((await newUser()).id);
    const res = await call("POST", "/v1/channels", { token: owner.token, body: { type: "group", name: "Big", member_ids: ids } });
    expect(res.status).toBe(201);
    const members = await call("GET", `/v1/channels/${res.json.id}/members`, { token: owner.token });
    expect(members.json).toHaveLength(101);
  });

  it("refuses unknown initial members and changes nothing", async () => {
    const alice = await newUser();
    const ghost = uniqueId("ghost");
    const res = await call("POST", "/v1/channels", { token: alice.token, body: { type: "group", name: "G", member_ids: [ghost] } });
    expectError(res, 404, "CHAT_USER_NOT_FOUND");
    expect((await call("GET", "/v1/channels", { token: alice.token })).json).toEqual([]);
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
      const err = expectError(await call("POST", "/v1/channels", { token: alice.token, body }), 400, "VALIDATION_FAILED");
      expect(Array.isArray(err.details)).toBe(true);
    }
    // 100 emoji are 100 characters (200 UTF-16 units): accepted.
    const emoji = await call("POST", "/v1/channels", { token: alice.token, body: { type: "group", name: "😀".repeat(100) } });
    expect(emoji.status).toBe(201);
    // Unknown fields are ignored.
    const extra = await call("POST", "/v1/channels", { token: alice.token, body: { type: "room", name: "R", color: "red" } });
    expect(extra.status).toBe(201);
    expect(extra.json).not.toHaveProperty("color");
  });
});

describe("direct messages", () => {
  it("creates a DM once per pair: the second request (either side) returns it with 200", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
    const first = await call("POST", "/v1/channels", { token: alice.token, body: { type: "dm", user_id: bob.id } });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ type: "dm", name: "", owner_id: null, other_user_id: bob.id, other_user_name: "Bob" });
    const again = await call("POST", "/v1/channels", { token: alice.token, body: { type: "dm", user_id: bob.id } });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);
    const reverse = await call("POST", "/v1/channels", { token: bob.token, body: { type: "dm", user_id: alice.id } });
    expect(reverse.status).toBe(200);
    expect(reverse.json).toMatchObject({ id: first.json.id, other_user_id: alice.id, other_user_name: "Alice" });
  });

  it("survives concurrent creation: one DM, everyone gets its id", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        call("POST", "/v1/channels", { token: (i % 2 ? alice : bob).token, body: { type: "dm", user_id: (i % 2 ? bob : alice).id } }),
      ),
    );
    expect(new Set(results.map((r) => r.json.id)).size).toBe(1);
    expect(results.filter((r) => r.status === 201).length).toBe(1);
    const { count } = (await env.DB.prepare("select count(*) as count from channels where dm_key = ?")
      .bind([alice.id, bob.id].sort().join(" "))
      .first<{ count: number }>())!;
    expect(count).toBe(1);
  });

  it("refuses a DM with yourself, an unknown user, or across a block", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    expectError(await call("POST", "/v1/channels", { token: alice.token, body: { type: "dm", user_id: alice.id } }), 400, "CHAT_CANNOT_DM_SELF");
    expectError(await call("POST", "/v1/channels", { token: alice.token, body: { type: "dm", user_id: uniqueId() } }), 404, "CHAT_USER_NOT_FOUND");
    expect((await call("PUT", `/v1/users/me/blocks/${alice.id}`, { token: bob.token })).status).toBe(204);
    expectError(await call("POST", "/v1/channels", { token: alice.token, body: { type: "dm", user_id: bob.id } }), 403, "CHAT_DM_BLOCKED_USER");
    expectError(await call("POST", "/v1/channels", { token: bob.token, body: { type: "dm", user_id: alice.id } }), 403, "CHAT_DM_BLOCKED_USER");
    expect((await call("GET", "/v1/channels", { token: alice.token })).json).toEqual([]);
  });

  it("cannot be renamed, archived, deleted or have members changed", async () => {
    const [alice, bob, carol] = [await newUser(), await newUser(), await newUser()];
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    const path = `/v1/channels/${dm.id}`;
    expectError(await call("PUT", path, { token: alice.token, body: { name: "x" } }), 400, "CHAT_CANNOT_MODIFY_DM");
    expectError(await call("DELETE", path, { token: alice.token }), 400, "CHAT_CANNOT_MODIFY_DM");
    expectError(await addMember(alice, dm.id, carol.id), 400, "CHAT_CANNOT_MODIFY_DM");
    expectError(await call("DELETE", `${path}/members/${bob.id}`, { token: alice.token }), 400, "CHAT_CANNOT_MODIFY_DM");
    expectError(await call("GET", path, { token: carol.token }), 404, "CHAT_CHANNEL_NOT_FOUND");
  });
});

describe("get, update, archive, delete", () => {
  it("lets the owner and admins rename; plain members get CHAT_NOT_ADMIN", async () => {
    const [owner, admin, member] = [await newUser(), await newUser(), await newUser()];
    const group = await createChannel(owner, { type: "group", name: "Old" });
    await addMember(owner, group.id, admin.id, "admin");
    await addMember(owner, group.id, member.id);
    const path = `/v1/channels/${group.id}`;
    expectError(await call("PUT", path, { token: member.token, body: { name: "Nope" } }), 403, "CHAT_NOT_ADMIN");
    const renamed = await call("PUT", path, { token: admin.token, body: { name: "  New Group Name  " } });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({ id: group.id, name: "New Group Name", owner_id: owner.id });
    expect((await call("GET", path, { token: member.token })).json.name).toBe("New Group Name");
    expectError(await call("PUT", path, { token: owner.token, body: {} }), 400, "VALIDATION_FAILED");
    expectError(await call("PUT", path, { token: owner.token, body: { name: "" } }), 400, "VALIDATION_FAILED");
  });

  it("archives: hidden from the list unless include_hidden=true, and can be unarchived", async () => {
    const owner = await newUser();
    const group = await createChannel(owner, { type: "group", name: "G" });
    const archived = await call("PUT", `/v1/channels/${group.id}`, { token: owner.token, body: { archived: true } });
    expect(archived.json.archived).toBe(true);
    expect((await call("GET", "/v1/channels", { token: owner.token })).json).toEqual([]);
    const all = await call("GET", "/v1/channels?include_hidden=true", { token: owner.token });
    expect(all.json.map((c: { id: string }) => c.id)).toEqual([group.id]);
    await call("PUT", `/v1/channels/${group.id}`, { token: owner.token, body: { archived: false } });
    expect((await call("GET", "/v1/channels", { token: owner.token })).json).toHaveLength(1);
    expectError(await call("GET", "/v1/channels?include_hidden=maybe", { token: owner.token }), 400, "VALIDATION_FAILED");
  });

  it("toggles broadcast (admins only)", async () => {
    const [owner, member] = [await newUser(), await newUser()];
    const room = await createChannel(owner, { type: "room", name: "R" });
    await call("POST", `/v1/channels/${room.id}/members`, { token: member.token, body: { user_id: member.id } });
    expectError(await call("PUT", `/v1/channels/${room.id}`, { token: member.token, body: { broadcast: true } }), 403, "CHAT_NOT_ADMIN");
    const res = await call("PUT", `/v1/channels/${room.id}`, { token: owner.token, body: { broadcast: true } });
    expect(res.json.broadcast).toBe(true);
  });

  it("deletes by the owner only, with its memberships", async () => {
    const [owner, admin] = [await newUser(), await newUser()];
    const group = await createChannel(owner, { type: "group", name: "G" });
    await addMember(owner, group.id, admin.id, "admin");
    expectError(await call("DELETE", `/v1/channels/${group.id}`, { token: admin.token }), 403, "CHAT_NOT_ADMIN");
    expect((await call("DELETE", `/v1/channels/${group.id}`, { token: owner.token })).status).toBe(204);
    expectError(await call("GET", `/v1/channels/${group.id}`, { token: owner.token }), 404, "CHAT_CHANNEL_NOT_FOUND");
    const rows = await env.DB.prepare("select count(*) as n from channel_members where channel_id = ?").bind(group.id).first();
    expect(rows).toEqual({ n: 0 });
    expect((await call("GET", "/v1/channels", { token: admin.token })).json).toEqual([]);
  });

  it("answers 404 for unknown and malformed channel ids", async () => {
    const user = await newUser();
    for (const id of ["1234567890123456789", "abc", "0", "9".repeat(30)]) {
      expectError(await call("GET", `/v1/channels/${id}`, { token: user.token }), 404, "CHAT_CHANNEL_NOT_FOUND");
    }
  });
});

describe("visibility: private groups, public rooms", () => {
  it("hides a group from non-members entirely (404 for every operation)", async () => {
    const [owner, outsider] = [await newUser(), await newUser()];
    const group = await createChannel(owner, { type: "group", name: "Secret" });
    const p = `/v1/channels/${group.id}`;
    const t = outsider.token;
    for (const res of [
      await call("GET", p, { token: t }),
      await call("PUT", p, { token: t, body: { name: "x" } }),
      await call("DELETE", p, { token: t }),
      await call("GET", `${p}/members`, { token: t }),
      await call("POST", `${p}/members`, { token: t, body: { user_id: outsider.id } }),
      await call("PUT", `${p}/members/me`, { token: t, body: { hidden: true } }),
      await call("DELETE", `${p}/members/${owner.id}`, { token: t }),
    ]) {
      expectError(res, 404, "CHAT_CHANNEL_NOT_FOUND");
    }
    expect((await call("GET", "/v1/rooms?limit=100", { token: t })).json.rooms.map((r: { id: string }) => r.id)).not.toContain(group.id);
  });

  it("shows a room to anyone, lets them join themselves, and needs membership to change it", async () => {
    const [owner, visitor] = [await newUser(), await newUser("Visitor")];
    const room = await createChannel(owner, { type: "room", name: "Lobby" });
    const got = await call("GET", `/v1/channels/${room.id}`, { token: visitor.token });
    expect(got.status).toBe(200);
    expect(got.json.name).toBe("Lobby");
    expect((await call("GET", `/v1/channels/${room.id}/members`, { token: visitor.token })).json).toHaveLength(1);
    expectError(await call("PUT", `/v1/channels/${room.id}`, { token: visitor.token, body: { name: "x" } }), 403, "CHAT_NOT_MEMBER");
    expectError(await call("PUT", `/v1/channels/${room.id}/members/me`, { token: visitor.token, body: { hidden: true } }), 403, "CHAT_NOT_MEMBER");
    const joined = await addMember(visitor, room.id, visitor.id);
    expect(joined.status).toBe(201);
    expect(joined.json).toMatchObject({ user_id: visitor.id, display_name: "Visitor", role: "member" });
    expect((await call("GET", "/v1/channels", { token: visitor.token })).json.map((c: { id: string }) => c.id)).toEqual([room.id]);
  });

  it("lists rooms for discovery with paging, member counts and is_member", async () => {
    const [owner, visitor] = [await newUser(), await newUser()];
    const created: Awaited<ReturnType<typeof createChannel>>[] = [];
    for (let i = 0; i < 5; i++) created.push(await createChannel(owner, { type: "room", name: `Room ${i}` }));
    const archived = await createChannel(owner, { type: "room", name: "Old" });
    await call("PUT", `/v1/channels/${archived.id}`, { token: owner.token, body: { archived: true } });
    await addMember(visitor, created[4]!.id, visitor.id);

    const seen: any[] = [];
    let before: string | undefined;
    for (;;) {
      const res = await call("GET", `/v1/rooms?limit=2${before ? `&before=${before}` : ""}`, { token: visitor.token });
      expect(res.status).toBe(200);
      seen.push(...res.json.rooms);
      if (!res.json.has_more) break;
      before = res.json.rooms.at(-1).id;
    }
    const mine = seen.filter((r) => created.some((c) => c.id === r.id));
    expect(mine.map((r) => r.id)).toEqual(created.map((c) => c.id).reverse());
    expect(seen.some((r) => r.id === archived.id)).toBe(false);
    expect(mine[0]).toMatchObject({ name: "Room 4", member_count: 2, is_member: true });
    expect(mine[1]).toMatchObject({ member_count: 1, is_member: false });
    expectError(await call("GET", "/v1/rooms?limit=0", { token: visitor.token }), 400, "VALIDATION_FAILED");
    expectError(await call("GET", "/v1/rooms?limit=101", { token: visitor.token }), 400, "VALIDATION_FAILED");
  });
});

describe("list channels", () => {
  it("returns the seed's fields, DM partner names, and latest activity first", async () => {
    const [alice, bob] = [await newUser("Alice"), await newUser("FriendName")];
    const group = await createChannel(alice, { type: "group", name: "Project Team" });
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    const res = await call("GET", "/v1/channels", { token: alice.token });
    expect(res.status).toBe(200);
    expect(res.json).toEqual([
      {
        id: dm.id,
        type: "dm",
        name: "",
        owner_id: null,
        created_at: expect.any(Number),
        unread_count: 0,
        last_message_at: null,
        last_read_message_id: null,
        other_user_id: bob.id,
        other_user_name: "FriendName",
        broadcast: false,
        archived: false,
        hidden: false,
        role: "member",
      },
      {
        id: group.id,
        type: "group",
        name: "Project Team",
        owner_id: alice.id,
        created_at: expect.any(Number),
        unread_count: 0,
        last_message_at: null,
        last_read_message_id: null,
        broadcast: false,
        archived: false,
        hidden: false,
        role: "owner",
      },
    ]);
  });

  it("hides a channel for one member only; include_hidden shows it; reopening a DM unhides it", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const dm = await createChannel(alice, { type: "dm", user_id: bob.id });
    const hide = await call("PUT", `/v1/channels/${dm.id}/members/me`, { token: alice.token, body: { hidden: true } });
    expect(hide.status).toBe(200);
    expect(hide.json).toMatchObject({ user_id: alice.id, hidden: true, role: "member" });
    expect((await call("GET", "/v1/channels", { token: alice.token })).json).toEqual([]);
    expect((await call("GET", "/v1/channels", { token: bob.token })).json).toHaveLength(1);
    const all = (await call("GET", "/v1/channels?include_hidden=true", { token: alice.token })).json;
    expect(all).toMatchObject([{ id: dm.id, hidden: true }]);
    await call("POST", "/v1/channels", { token: alice.token, body: { type: "dm", user_id: bob.id } });
    expect((await call("GET", "/v1/channels", { token: alice.token })).json).toMatchObject([{ id: dm.id, hidden: false }]);
    expectError(await call("PUT", `/v1/channels/${dm.id}/members/me`, { token: alice.token, body: { hidden: "yes" } }), 400, "VALIDATION_FAILED");
  });

  it("lists 100 channels with a constant number of queries", async () => {
    const user = await newUser();
    for (let i = 0; i < 100; i++) await createChannel(user, { type: "group", name: `G${i}` });
    const res = await call("GET", "/v1/channels", { token: user.token });
    expect(res.json).toHaveLength(100);
    expect(res.headers.get("Server-Timing")).toMatch(/d1;dur=[\d.]+;desc="1 queries"/);
  });
});
