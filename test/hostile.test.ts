import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, createChannel, fetchUrl, newUser, send } from "./helpers/api";

/** Nothing a client sends may produce a 500: every answer below must be a clear 4xx (or success). */
describe("hostile input never produces a 500", () => {
  it("on uploads, signed URLs and files", async () => {
    const user = await newUser();
    const uploads: [Record<string, string>, BodyInit | undefined][] = [
      [{ "X-Filename": "%E0%A4%A", "Content-Type": "image/png" }, "x"],
      [{ "Content-Type": "multipart/form-data; boundary=zzz" }, "--zzz\r\nbroken"],
      [{ "Content-Type": "multipart/form-data" }, "no boundary"],
      [{ "Content-Type": ";;;" }, "x"],
      [{ "X-Filename": "%00../../x", "Content-Type": "text/html" }, "<script>"],
      [{}, undefined],
    ];
    for (const [headers, body] of uploads) {
      const res = await call("POST", "/v1/attachments", { token: user.token, rawBody: body, headers });
      expect(res.status, JSON.stringify(headers)).toBeLessThan(500);
    }
    for (const body of [null, {}, { filename: "a", size_bytes: -1 }, { filename: "a", size_bytes: 1.5 }, { filename: "", size_bytes: 1 }, { filename: "a", size_bytes: 1e300 }]) {
      expect((await call("POST", "/v1/attachments/uploads", { token: user.token, body })).status).toBeLessThan(500);
    }
    for (const path of ["/v1/attachments/abc/complete", "/v1/attachments/%00/complete"]) {
      expect((await call("POST", path, { token: user.token })).status).toBeLessThan(500);
    }
    for (const path of [
      "/files/1/full",
      "/files/1/full?exp=abc&sig=x",
      "/files/1/9999?exp=1&sig=",
      "/files/%00/full?exp=99999999999999999999&sig=" + "A".repeat(43),
      "/uploads/1?exp=1e400&sig=x",
    ]) {
      expect((await fetchUrl(`http://api.test${path}`)).status, path).toBeLessThan(500);
      expect((await fetchUrl(`http://api.test${path}`, { method: "PUT", body: "x" })).status, path).toBeLessThan(500);
    }
    const group = await createChannel(user, { type: "group", name: "G" });
    const m = await send(user, group.id, "x");
    for (const q of ["size=full&size=512", "size=", "size=%00"]) {
      const res = await call("GET", `/v1/channels/${group.id}/messages/${m.id}/attachments/123/url?${q}`, { token: user.token });
      expect(res.status).toBeLessThan(500);
    }
  });

  it("on the integration API", async () => {
    const { key } = (await call("POST", "/admin/v1/api-keys", { token: env.ADMIN_TOKEN, body: { name: "fuzz", scopes: ["chat.read", "chat.write", "attachments.read", "attachments.write", "publishers.read"] } })).json;
    const junk = [
      null, [], "text", { senderId: 1e20, text: "x" }, { senderId: -1 }, { senderId: 1, text: null }, { senderId: 1, text: "x", attachments: [{ type: "video", fileId: "1" }] },
      { senderId: 1, text: "x", attachments: [{ type: "file", fileId: "x".repeat(500) }] }, { title: ["x"] }, { title: "t", assignedUserIds: [{}] },
      { title: "t", adminUserIds: [1.5] }, { fileName: null, featureType: "chat" },
    ];
    const paths = [
      "/chat/v1/conversations",
      "/chat/v1/conversations/abc/message",
      "/chat/v1/conversations/1234567890123456789/message",
      "/chat/v1/conversations/privateMessage/%3Cscript%3E",
      "/chat/v1/conversations/privateMessage/pub_1",
      "/attachments/v1/files/generate-upload-url",
    ];
    for (const path of paths) {
      for (const body of junk) {
        const res = await call("POST", path, { body, headers: { "X-API-KEY": key } });
        expect(res.status, `${path} ${JSON.stringify(body)}`).toBeLessThan(500);
      }
    }
    for (const path of ["/chat/v1/conversations?limit=1e3", "/chat/v1/conversations?offset=99999999999", "/attachments/v1/files/%00", "/publishers/v1/publishers?limit=-1", "/chat/v1/nope"]) {
      expect((await call("GET", path, { headers: { "X-API-KEY": key } })).status, path).toBeLessThan(500);
    }
    expect((await call("PUT", "/attachments/v1/files/complete-upload/zzz", { headers: { "X-API-KEY": key } })).status).toBeLessThan(500);
    for (const body of [null, { name: 5 }, { scopes: "all" }, { name: "x", imageUrl: "javascript:alert(1)" }]) {
      expect((await call("POST", "/admin/v1/api-keys", { token: env.ADMIN_TOKEN, body })).status).toBeLessThan(500);
      expect((await call("POST", "/admin/v1/publishers", { token: env.ADMIN_TOKEN, body })).status).toBeLessThan(500);
      expect((await call("PATCH", "/admin/v1/publishers/abc", { token: env.ADMIN_TOKEN, body })).status).toBeLessThan(500);
    }
  });
});
