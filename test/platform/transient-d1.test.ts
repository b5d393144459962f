// Transient D1 failures (issue #25): a read is retried once, then the request is answered 503
// CHAT_UNAVAILABLE with Retry-After — never a 500. The faults are real failures of real D1 calls,
// injected per request by the test-only `X-Fault-D1` header (src/platform/d1-faults.ts).
import { describe, expect, it } from "vitest";
import { FAULT_HEADER } from "../../src/platform/d1-faults";
import { isReadOnlySql, isTransientD1Failure } from "../../src/platform/d1-transient";
import { type TestUser, createChannel, expectError, expectStatus, newUser, send } from "../helpers/api";
import { api } from "../helpers/client";

const withFault = (user: TestUser, fault: string) => api(user.token, { [FAULT_HEADER]: fault });
const history = (user: TestUser, channelID: string, fault?: string) =>
  (fault ? withFault(user, fault) : api(user.token)).v1.channels[":channelID"].messages.$get({ param: { channelID }, query: {} });
const myChannels = (user: TestUser) => expectStatus(api(user.token).v1.channels.$get({ query: { include_hidden: "true" } }), 200);

async function channelWithMessages() {
  const [alice, bob] = [await newUser("Alice"), await newUser("Bob")];
  const group = await createChannel(alice, { type: "group", name: "G", member_ids: [bob.id] });
  await send(alice, group.id, "one");
  await send(alice, group.id, "two");
  return { alice, bob, group };
}

describe("transient D1 failures", () => {
  it("a GET whose D1 read fails once is retried and answers 200 with the same page", async () => {
    const { bob, group } = await channelWithMessages();
    const before = await expectStatus(history(bob, group.id), 200);
    const res = await history(bob, group.id, "read:1");
    const page = await expectStatus(res, 200);
    expect(page).toEqual(before);
    expect(page.messages.map((m) => m.body)).toEqual(["two", "one"]);
  });

  it("a GET whose D1 read fails twice in a row answers 503 CHAT_UNAVAILABLE with Retry-After, and nothing changed", async () => {
    const { bob, group } = await channelWithMessages();
    const before = await expectStatus(history(bob, group.id), 200);
    const channelsBefore = await myChannels(bob);
    const res = await history(bob, group.id, "read:2");
    expect(res.headers.get("Retry-After")).toBe("1");
    expect(res.headers.get("X-Request-Id")).toBeTruthy();
    const err = await expectError(res, 503, "CHAT_UNAVAILABLE");
    expect(err.details).toEqual({ request_id: res.headers.get("X-Request-Id") });
    expect(await expectStatus(history(bob, group.id), 200)).toEqual(before);
    expect(await myChannels(bob)).toEqual(channelsBefore);
  });

  // One failed attempt is enough: the server never repeats a write (it may have committed).
  it("a write hit by a transient failure answers 503 (not 500) and stores nothing; the client's retry succeeds", async () => {
    const alice = await newUser("Alice");
    const body = { type: "group" as const, name: "created once" };
    const res = await withFault(alice, "write:1").v1.channels.$post({ json: body });
    expect(res.headers.get("Retry-After")).toBe("1");
    await expectError(res, 503, "CHAT_UNAVAILABLE");
    expect(await myChannels(alice)).toEqual([]);
    // What the 503 tells the client to do: repeat the request. It is stored exactly once.
    await expectStatus(api(alice.token).v1.channels.$post({ json: body }), 201);
    expect((await myChannels(alice)).map((c) => c.name)).toEqual(["created once"]);
  });
});

describe("which failures are transient", () => {
  it("matches the D1 errors Cloudflare says to retry, and nothing about the request", () => {
    for (const text of [
      "D1_ERROR: Failed to get session commit token: internal error",
      "D1_ERROR: Network connection lost.",
      "D1_ERROR: D1 DB reset because its code was updated.",
      "D1_ERROR: Internal error while starting up D1 DB storage caused object to be reset.",
      "D1_ERROR: D1 DB storage operation exceeded timeout which caused object to be reset.",
      "D1_ERROR: D1 DB is overloaded. Requests queued for too long.",
      "D1_ERROR: D1 DB is overloaded. Too many requests queued.",
      "D1_ERROR: Cannot resolve D1 DB due to transient issue on remote node.",
    ]) {
      expect(isTransientD1Failure(new Error(text)), text).toBe(true);
      // Drizzle wraps the driver's error as `cause`.
      expect(isTransientD1Failure(new Error("Failed query: select 1", { cause: new Error(text) })), text).toBe(true);
    }
    for (const text of [
      "D1_ERROR: UNIQUE constraint failed: channel_members.channel_id, channel_members.user_id: SQLITE_CONSTRAINT",
      "D1_ERROR: near \"SELEC\": syntax error at offset 0: SQLITE_ERROR",
      "D1_TYPE_ERROR: Type 'undefined' not supported for value 'undefined'",
      "Cannot read properties of undefined (reading 'id')",
      "internal error", // not D1's
    ]) {
      expect(isTransientD1Failure(new Error(text)), text).toBe(false);
    }
  });

  it("retries only statements that read", () => {
    expect(isReadOnlySql('select "id" from "channels" where "id" = ?')).toBe(true);
    expect(isReadOnlySql("WITH x AS (SELECT 1) SELECT * FROM x")).toBe(true);
    expect(isReadOnlySql('select "deleted_at", "updated_at" from "messages"')).toBe(true);
    expect(isReadOnlySql('insert into "channels" ("id") values (?)')).toBe(false);
    expect(isReadOnlySql('update "channels" set "name" = ?')).toBe(false);
    expect(isReadOnlySql("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x")).toBe(false);
    expect(isReadOnlySql("WITH x AS (SELECT 1) REPLACE INTO t SELECT * FROM x")).toBe(false);
    expect(isReadOnlySql("PRAGMA table_list")).toBe(false);
  });
});
