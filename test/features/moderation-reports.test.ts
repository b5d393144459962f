import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type TestUser, addMember, createChannel, expectError, expectStatus, newUser, send } from "../helpers/api";
import { api, invalid, rawRequest } from "../helpers/client";
import { admin } from "../helpers/integration";
import { connect } from "../helpers/ws";

const ch = (user: TestUser, channelID: string) => api(user.token).v1.channels[":channelID"];
const report = (user: TestUser, channelID: string, messageID: string, json: { reason: string; note?: string }) =>
  ch(user, channelID).messages[":messageID"].reports.$post({ param: { channelID, messageID }, json: invalid(json) });
const channelQueue = (user: TestUser, channelID: string, query: Record<string, string> = {}) => ch(user, channelID).reports.$get({ param: { channelID }, query });
const channelResolve = (user: TestUser, channelID: string, reportID: string, json: { action: string; duration_s?: number; note?: string }) =>
  ch(user, channelID).reports[":reportID"].resolve.$post({ param: { channelID, reportID }, json: invalid(json) });
const adminResolve = (reportID: string, json: { action: string; duration_s?: number; note?: string }) => admin("POST", `/admin/v1/moderation/reports/${reportID}/resolve`, json);
const historyOf = async (user: TestUser, channelID: string) => (await expectStatus(ch(user, channelID).messages.$get({ param: { channelID }, query: {} }), 200)).messages;
const auditOf = async (channelId: string, action: string) =>
  ((await admin("GET", `/admin/v1/audit-log?channel_id=${channelId}&action=${action}`)).json as { entries: { actor: string; target_user_id: string; message_id: string; details: Record<string, unknown> }[] }).entries;
type ReportJson = { id: string; status: string; message: { body: string }; resolution: Record<string, unknown> | null; resolved_by: string | null };

async function team() {
  const [owner, admin_, member, reporter] = [await newUser("Owner"), await newUser("Admin"), await newUser("Member"), await newUser("Reporter")];
  const channel = await createChannel(owner, { type: "group", name: "Team" });
  await expectStatus(addMember(owner, channel.id, admin_.id, "admin"), 201);
  await expectStatus(addMember(owner, channel.id, member.id), 201);
  await expectStatus(addMember(owner, channel.id, reporter.id), 201);
  return { owner, admin: admin_, member, reporter, channel };
}

describe("reports", () => {
  it("a member reports a message (201); again is 200 with the first; the snapshot outlives edits and deletes; bad input is 4xx", async () => {
    const { owner, member, reporter, channel } = await team();
    const m = await send(member, channel.id, "buy cheap watches");
    const first = await expectStatus(report(reporter, channel.id, m.id, { reason: "spam", note: "again" }), 201);
    expect(first).toEqual({
      id: expect.stringMatching(/^\d+$/),
      channel_id: channel.id,
      message_id: m.id,
      reporter_id: reporter.id,
      reason: "spam",
      note: "again",
      status: "open",
      message: expect.objectContaining({ id: m.id, body: "buy cheap watches", sender_id: member.id }),
      created_at: expect.any(Number),
      resolved_at: null,
      resolved_by: null,
      resolution: null,
    });
    expect(await expectStatus(report(reporter, channel.id, m.id, { reason: "hate" }), 200)).toEqual(first);
    // Another member's report is a report of its own.
    const second = await expectStatus(report(owner, channel.id, m.id, { reason: "harassment" }), 201);
    expect(second.id).not.toBe(first.id);
    // The author edits, then deletes: the evidence stays as reported.
    await expectStatus(ch(member, channel.id).messages[":messageID"].$put({ param: { channelID: channel.id, messageID: m.id }, json: { body: "nothing to see" } }), 200);
    await expectStatus(ch(member, channel.id).messages[":messageID"].$delete({ param: { channelID: channel.id, messageID: m.id } }), 204);
    const queue = await expectStatus(channelQueue(owner, channel.id), 200);
    expect(queue.reports.map((r: ReportJson) => [r.id, r.message.body])).toEqual([
      [second.id, "buy cheap watches"],
      [first.id, "buy cheap watches"],
    ]);
    // Refusals: deleted or unknown message, bad reason, too long a note, a stranger.
    await expectError(report(owner, channel.id, "1234567890123456789", { reason: "spam" }), 404, "CHAT_MESSAGE_NOT_FOUND");
    const live = await send(member, channel.id, "hello");
    await expectError(report(reporter, channel.id, live.id, { reason: "rude" }), 400, "VALIDATION_FAILED");
    await expectError(report(reporter, channel.id, live.id, { reason: "other", note: "x".repeat(501) }), 400, "VALIDATION_FAILED");
    const stranger = await newUser("Stranger");
    await expectError(report(stranger, channel.id, live.id, { reason: "spam" }), 404, "CHAT_CHANNEL_NOT_FOUND");
    expect((await expectStatus(channelQueue(owner, channel.id), 200)).reports).toHaveLength(2);
  });

  it("the deleted message cannot be reported anew (404), but its open reports stay", async () => {
    const { member, reporter, channel } = await team();
    const m = await send(member, channel.id, "gone soon");
    await expectStatus(ch(member, channel.id).messages[":messageID"].$delete({ param: { channelID: channel.id, messageID: m.id } }), 204);
    await expectError(report(reporter, channel.id, m.id, { reason: "spam" }), 404, "CHAT_MESSAGE_NOT_FOUND");
  });

  it("queues: the channel's for its moderators only, the app's for ADMIN_TOKEN; status filters and paging", async () => {
    const { owner, admin: mod, member, reporter, channel } = await team();
    const a = await send(member, channel.id, "a");
    const b = await send(member, channel.id, "b");
    const ra = await expectStatus(report(reporter, channel.id, a.id, { reason: "spam" }), 201);
    const rb = await expectStatus(report(reporter, channel.id, b.id, { reason: "other" }), 201);
    await expectError(channelQueue(member, channel.id), 403, "CHAT_NOT_ADMIN");
    expect((await expectStatus(channelQueue(mod, channel.id, { limit: "1" }), 200))).toMatchObject({ has_more: true, reports: [{ id: rb.id }] });
    expect((await expectStatus(channelQueue(mod, channel.id, { before: rb.id }), 200)).reports.map((r: ReportJson) => r.id)).toEqual([ra.id]);
    expect((await adminResolve(ra.id, { action: "dismiss" })).status).toBe(200);
    expect((await expectStatus(channelQueue(owner, channel.id, { status: "open" }), 200)).reports.map((r: ReportJson) => r.id)).toEqual([rb.id]);
    expect((await expectStatus(channelQueue(owner, channel.id, { status: "resolved" }), 200)).reports.map((r: ReportJson) => r.id)).toEqual([ra.id]);
    const appQueue = (await admin("GET", "/admin/v1/moderation/reports?status=open&limit=100")).json as { reports: ReportJson[] };
    expect(appQueue.reports.map((r) => r.id)).toContain(rb.id);
    expect(appQueue.reports.map((r) => r.id)).not.toContain(ra.id);
    expect((await admin("GET", "/admin/v1/moderation/reports?status=closed")).status).toBe(400);
    expect((await rawRequest("GET", "/admin/v1/moderation/reports", { token: owner.token })).status).toBe(401);
  });
});

describe("resolving", () => {
  it("dismiss resolves (audited report_resolve); resolving again answers it as it is; unknown or another channel's report is 404", async () => {
    const { owner, member, reporter, channel } = await team();
    const m = await send(member, channel.id, "meh");
    const r = await expectStatus(report(reporter, channel.id, m.id, { reason: "other" }), 201);
    await expectError(channelResolve(member, channel.id, r.id, { action: "dismiss" }), 403, "CHAT_NOT_ADMIN");
    await expectError(channelResolve(owner, channel.id, r.id, { action: "shrug" }), 400, "VALIDATION_FAILED");
    const resolved = await expectStatus(channelResolve(owner, channel.id, r.id, { action: "dismiss", note: "fine" }), 200);
    expect(resolved).toMatchObject({ id: r.id, status: "resolved", resolved_by: owner.id, resolved_at: expect.any(Number), resolution: { action: "dismiss", note: "fine" } });
    expect((await adminResolve(r.id, { action: "ban_user" })).json).toEqual(resolved);
    expect(await historyOf(owner, channel.id)).toHaveLength(1); // nothing ran
    const other = await team();
    await expectError(channelResolve(other.owner, other.channel.id, r.id, { action: "dismiss" }), 404, "CHAT_REPORT_NOT_FOUND");
    const unknown = await adminResolve("1234567890123456789", { action: "dismiss" });
    expect(unknown.status).toBe(404);
    expect((unknown.json as { error: { code: string } }).error.code).toBe("CHAT_REPORT_NOT_FOUND");
    expect((await auditOf(channel.id, "report_resolve")).map((e) => [e.actor, e.target_user_id, e.message_id, e.details.action])).toEqual([[owner.id, member.id, m.id, "dismiss"]]);
  });

  it("delete_message from the app queue: a tombstone, message_delete to subscribers, audited as the app's delete", async () => {
    const { owner, member, reporter, channel } = await team();
    const m = await send(member, channel.id, "awful");
    const r = await expectStatus(report(reporter, channel.id, m.id, { reason: "hate" }), 201);
    const { client: watcher } = await connect(channel.id, { user: owner });
    const res = await adminResolve(r.id, { action: "delete_message" });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: "resolved", resolved_by: "admin", resolution: { action: "delete_message", message_deleted: true }, message: { body: "awful" } });
    expect((await watcher.expect("message_delete")).data).toMatchObject({ id: m.id });
    expect(await historyOf(owner, channel.id)).toMatchObject([{ id: m.id, deleted: true }]);
    expect((await auditOf(channel.id, "message_delete")).map((e) => [e.actor, e.target_user_id, e.message_id])).toEqual([["admin", member.id, m.id]]);
  });

  it("mute_user from the channel queue mutes the sender (CHAT_MUTED on send); ban_user from the app queue bans them (removed, socket 4003)", async () => {
    const { owner, admin: mod, member, reporter, channel } = await team();
    const m1 = await send(member, channel.id, "first");
    const r1 = await expectStatus(report(reporter, channel.id, m1.id, { reason: "spam" }), 201);
    const muted = await expectStatus(channelResolve(mod, channel.id, r1.id, { action: "mute_user", duration_s: 600 }), 200);
    expect(muted.resolution).toMatchObject({ action: "mute_user", mute: { user_id: member.id, muted_by: mod.id } });
    await expectError(ch(member, channel.id).messages.$post({ param: { channelID: channel.id }, json: { body: "x" }, header: {} }), 403, "CHAT_MUTED");
    const m2 = await send(owner, channel.id, "context");
    const r2 = await expectStatus(report(reporter, channel.id, m1.id, { reason: "spam" }), 200);
    expect(r2.id).toBe(r1.id);
    const r3 = await expectStatus(report(owner, channel.id, m1.id, { reason: "harassment" }), 201);
    const { client: victim } = await connect(channel.id, { user: member });
    const banned = await adminResolve(r3.id, { action: "ban_user", note: "repeat offender" });
    expect(banned.status).toBe(200);
    expect(banned.json).toMatchObject({ resolution: { action: "ban_user", ban: { user_id: member.id, banned_by: "admin", reason: "repeat offender", expires_at: null } } });
    expect((await victim.closed).code).toBe(4003);
    expect(await env.DB.prepare("select 1 from channel_members where channel_id = ? and user_id = ?").bind(channel.id, member.id).first()).toBeNull();
    await expectError(ch(member, channel.id).messages.$post({ param: { channelID: channel.id }, json: { body: "x" }, header: {} }), 403, "CHAT_BANNED");
    // A channel admin cannot act on the owner's message through a report either.
    const r4 = await expectStatus(report(reporter, channel.id, m2.id, { reason: "other" }), 201);
    await expectError(channelResolve(mod, channel.id, r4.id, { action: "ban_user" }), 403, "CHAT_CANNOT_REMOVE_OWNER");
    expect((await expectStatus(channelQueue(owner, channel.id, { status: "open" }), 200)).reports.map((r: ReportJson) => r.id)).toEqual([r4.id]);
    expect((await auditOf(channel.id, "report_resolve")).map((e) => e.details.action)).toEqual(["ban_user", "mute_user"]);
    expect((await auditOf(channel.id, "ban")).map((e) => e.actor)).toEqual(["admin"]);
  });
});
