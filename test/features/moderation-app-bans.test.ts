import { describe, expect, it } from "vitest";
import { type TestUser, addMember, createChannel, expectError, expectStatus, newUser, uniqueId } from "../helpers/api";
import { api } from "../helpers/client";
import { freezeClock } from "../helpers/clock";
import { admin } from "../helpers/integration";
import { connectUser, waitForHub } from "../helpers/user-socket";
import { connect, openSocket } from "../helpers/ws";

const banApp = (userId: string, body: Record<string, unknown> = {}) => admin("PUT", `/admin/v1/users/${userId}/ban`, body);
const unbanApp = (userId: string) => admin("DELETE", `/admin/v1/users/${userId}/ban`);
const me = (user: TestUser) => api(user.token).v1.users.me.$get();
const sendRaw = (user: TestUser, channelID: string, body: string) => api(user.token).v1.channels[":channelID"].messages.$post({ param: { channelID }, json: { body }, header: {} });
const auditOf = async (target: string) => ((await admin("GET", `/admin/v1/audit-log?target=${target}`)).json as { entries: { action: string; actor: string; reason: string | null; details: Record<string, unknown> }[] }).entries;

async function pair() {
  const [owner, member] = [await newUser("Owner"), await newUser("Mallory")];
  const channel = await createChannel(owner, { type: "group", name: "Team" });
  await expectStatus(addMember(owner, channel.id, member.id), 201);
  return { owner, member, channel };
}

describe("app-wide bans", () => {
  it("every request is 403 AUTH_USER_BANNED, sockets close 4003 (user socket and channel sockets), memberships stay; unban restores; audited", async () => {
    const { owner, member, channel } = await pair();
    await expectStatus(me(member), 200);
    const { client: userSocket } = await connectUser({ user: member });
    const { client: channelSocket } = await connect(channel.id, { user: member });
    await waitForHub(member.id, (s) => s.channelSockets >= 1);
    const res = await banApp(member.id, { reason: "fraud" });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ user_id: member.id, reason: "fraud", shadow: false, created_at: expect.any(Number), expires_at: null });
    expect((await userSocket.closed).code).toBe(4003);
    expect((await channelSocket.closed).code).toBe(4003);
    const refused = await expectError(me(member), 403, "AUTH_USER_BANNED");
    expect(refused.details).toEqual({ expires_at: null });
    await expectError(sendRaw(member, channel.id, "still here?"), 403, "AUTH_USER_BANNED");
    const upgrade = await openSocket(channel.id, { user: member });
    expect(upgrade.status).toBe(403);
    // Again: 200 with the ban in force; others are unaffected; the membership is kept.
    expect((await banApp(member.id, { reason: "other" })).json).toEqual(res.json);
    await expectStatus(sendRaw(owner, channel.id, "hi"), 201);
    const members = await expectStatus(api(owner.token).v1.channels[":channelID"].members.$get({ param: { channelID: channel.id }, query: {} }), 200);
    expect(JSON.stringify(members)).toContain(member.id);
    // Lifted: 204, then 404; the user is back at once.
    expect((await unbanApp(member.id)).status).toBe(204);
    const again = await unbanApp(member.id);
    expect(again.status).toBe(404);
    expect((again.json as { error: { code: string } }).error.code).toBe("CHAT_BAN_NOT_FOUND");
    await expectStatus(sendRaw(member, channel.id, "back"), 201);
    expect((await auditOf(member.id)).map((e) => [e.action, e.actor, e.reason])).toEqual([
      ["app_unban", "admin", null],
      ["app_ban", "admin", "fraud"],
    ]);
  });

  it("a timed ban ends by itself at expires_at", async () => {
    const { member } = await pair();
    const clock = freezeClock();
    const res = await banApp(member.id, { duration_s: 60 });
    expect(res.status).toBe(201);
    const until = Math.ceil((clock.now() + 60_000) / 1000);
    expect(res.json).toMatchObject({ expires_at: until });
    clock.advance(59_000);
    expect((await expectError(me(member), 403, "AUTH_USER_BANNED")).details).toEqual({ expires_at: until });
    clock.advance(1_001);
    await expectStatus(me(member), 200);
    expect((await unbanApp(member.id)).status).toBe(404);
  });

  it("bad input: unknown user 404, bad duration or reason 400, user tokens 401; nothing written", async () => {
    const { member } = await pair();
    const unknown = await banApp(uniqueId());
    expect(unknown.status).toBe(404);
    expect((unknown.json as { error: { code: string } }).error.code).toBe("CHAT_USER_NOT_FOUND");
    for (const body of [{ duration_s: 0 }, { duration_s: 366 * 86400 }, { reason: "x".repeat(501) }, { shadow: "yes" }]) expect((await banApp(member.id, body)).status).toBe(400);
    const asUser = await api(member.token).admin.v1.users[":userID"].ban.$put({ param: { userID: member.id }, json: {} });
    expect(asUser.status).toBe(401);
    await expectStatus(me(member), 200);
    expect(await auditOf(member.id)).toEqual([]);
  });
});

describe("shadow bans", () => {
  it("the user keeps using the app, but their new messages reach only themselves: no seq or position, own sockets and own history only", async () => {
    const { owner, member, channel } = await pair();
    const before = await expectStatus(sendRaw(owner, channel.id, "before"), 201);
    const res = await banApp(member.id, { shadow: true, reason: "spam ring" });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ user_id: member.id, shadow: true, expires_at: null });
    await expectStatus(me(member), 200); // not refused
    const { client: watcher } = await connect(channel.id, { user: owner });
    const { client: own } = await connect(channel.id, { user: member });
    const { client: ownOther } = await connect(channel.id, { user: member });
    // REST: 201 as usual, to the author.
    const sent = await expectStatus(sendRaw(member, channel.id, "zyxshadow hello"), 201);
    expect(sent).toMatchObject({ body: "zyxshadow hello", sender_id: member.id });
    expect((sent as { position?: number | null }).position ?? null).toBeNull();
    for (const socket of [own, ownOther]) expect(await socket.expect("message")).toMatchObject({ seq: null, data: { id: sent.id, body: "zyxshadow hello" } });
    // Socket send: acked to the author, heard by nobody else.
    own.send({ type: "send", client_msg_id: "s1", body: "zyxshadow again" });
    let ack;
    for (;;) {
      const f = await own.next();
      if (f.type === "ack") {
        ack = f;
        break;
      }
    }
    expect(ack.data).toMatchObject({ body: "zyxshadow again" });
    // A retry with the same Idempotency-Key answers the first message, once (not a second one, not a 500).
    const keyed = () => api(member.token).v1.channels[":channelID"].messages.$post({ param: { channelID: channel.id }, json: { body: "zyxshadow keyed" }, header: { "idempotency-key": "shadow-key-1" } });
    const first = await expectStatus(keyed(), 201);
    expect(await own.expect("message")).toMatchObject({ seq: null, data: { id: first.id } });
    const retried = await keyed();
    expect(retried.status).toBe(201);
    expect(retried.headers.get("Idempotent-Replayed")).toBe("true");
    expect(((await retried.json()) as { id: string }).id).toBe(first.id);
    await watcher.expectSilence();
    // The next regular message takes the next position: no gap for anyone.
    const after = await expectStatus(sendRaw(owner, channel.id, "after"), 201);
    const history = (user: TestUser) => expectStatus(api(user.token).v1.channels[":channelID"].messages.$get({ param: { channelID: channel.id }, query: {} }), 200);
    expect((await history(owner)).messages.map((m: { id: string }) => m.id)).toEqual([after.id, before.id]);
    expect((await history(member)).messages.map((m: { body: string }) => m.body)).toEqual(["after", "zyxshadow keyed", "zyxshadow again", "zyxshadow hello", "before"]);
    // Counts and search: the owner has nothing unread and finds nothing.
    const list = await expectStatus(api(owner.token).v1.channels.$get({ query: {} }), 200);
    expect(list.find((c: { id: string }) => c.id === channel.id)).toMatchObject({ unread_count: 0 });
    const found = await expectStatus(api(owner.token).v1.search.messages.$get({ query: { q: "zyxshadow" } }), 200);
    expect(JSON.stringify(found)).not.toContain(sent.id);
    // The shadow ban is audited and lifted like any other ban; later messages are seen again.
    expect((await auditOf(member.id))[0]).toMatchObject({ action: "app_ban", details: { shadow: true } });
    expect((await unbanApp(member.id)).status).toBe(204);
  });
});
