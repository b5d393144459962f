import { describe, expect, it } from "vitest";
import { parseBookmarks } from "../../src/platform/sessions";
import { createChannel, newUser, send } from "../helpers/api";
import { api } from "../helpers/client";

describe("D1 sessions: read your own writes", () => {
  it("answers X-D1-Bookmark for the databases a request used, and takes it back", async () => {
    const alice = await newUser("Alice");
    const group = await createChannel(alice, { type: "group", name: "Bookmarks" });
    await send(alice, group.id, "first");
    const written = await api(alice.token).v1.channels[":channelID"].messages.$post({ param: { channelID: group.id }, header: {}, json: { body: "mine" } });
    const bookmark = written.headers.get("X-D1-Bookmark");
    expect(bookmark).toMatch(/^(DB|HISTORY_\d+)=[\w-]+(,(DB|HISTORY_\d+)=[\w-]+)*$/);
    // A send writes the shard (the directory follows through its queue, DESIGN §12); a change of the
    // directory itself names DB.
    const names = [...parseBookmarks(bookmark!).keys()].sort();
    expect(names.some((n) => n.startsWith("HISTORY_"))).toBe(true);
    const renamed = await api(alice.token).v1.channels[":channelID"].$put({ param: { channelID: group.id }, json: { name: "Bookmarked" } });
    expect([...parseBookmarks(renamed.headers.get("X-D1-Bookmark") ?? "").keys()]).toContain("DB");
    const read = await api(alice.token, { "X-D1-Bookmark": bookmark! }).v1.channels[":channelID"].messages.$get({ param: { channelID: group.id }, query: {} });
    expect(read.status).toBe(200);
    expect((await read.json()).messages[0]!.body).toBe("mine");
  });

  it("ignores a malformed bookmark instead of failing the request", async () => {
    const alice = await newUser("Alice");
    const res = await api(alice.token, { "X-D1-Bookmark": "DB=<script>,nope,HISTORY_0=" }).v1.channels.$get({ query: {} });
    expect(res.status).toBe(200);
    expect([...parseBookmarks("DB=<script>,nope,HISTORY_0=").keys()]).toEqual([]);
  });
});
