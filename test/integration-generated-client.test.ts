// A client generated from Connecteam's own OpenAPI document (openapi-typescript → test/fixtures/
// connecteam.d.ts, openapi-fetch) runs every operation against us: `npm run typecheck` proves the
// calls type-check against the reference; the responses are checked against its schemas at run time.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import createClient from "openapi-fetch";
import { describe, expect, it } from "vitest";
import type { paths } from "./fixtures/connecteam";
import { ALL_SCOPES, accessToken, apiKey, numericUser, publisher } from "./helpers/integration";
import { validateResponse } from "./helpers/openapi";

const client = (headers: Record<string, string>) =>
  createClient<paths>({ baseUrl: "http://api.test", headers, fetch: (request: Request) => exports.default.fetch(request) });

describe("a client generated from Connecteam's OpenAPI document", () => {
  it("runs all 15 operations (chat, attachments, publishers, webhook settings, OAuth) with no type error and no schema violation", async () => {
    const key = await apiKey([...ALL_SCOPES]);
    const { access_token } = await accessToken(key);
    const connecteam = client({ Authorization: `Bearer ${access_token}` });
    const [alice, bob] = [await numericUser("Alice"), await numericUser("Bob")];
    const bot = await publisher("Generated Bot");
    const check = (path: string, method: string, res: { response: Response }, body: unknown) => {
      expect(res.response.ok, `${method} ${path}: ${res.response.status} ${JSON.stringify(body)}`).toBe(true);
      expect(validateResponse(path, method, res.response.status, body)).toEqual([]);
    };

    const created = await connecteam.POST("/chat/v1/conversations", {
      body: { title: "Generated", type: "team", assignedUserIds: [Number(alice.id), Number(bob.id)], adminUserIds: [Number(alice.id)], isMembersHidden: false },
    });
    check("/chat/v1/conversations", "post", created, created.data);
    const conversationId = created.data!.data.conversation.id;

    const listed = await connecteam.GET("/chat/v1/conversations", { params: { query: { limit: 10, offset: 0 } } });
    check("/chat/v1/conversations", "get", listed, listed.data);

    const upload = await connecteam.POST("/attachments/v1/files/generate-upload-url", { body: { fileName: "report.txt", featureType: "chat" } });
    check("/attachments/v1/files/generate-upload-url", "post", upload, upload.data);
    const { fileId, uploadFileUrl } = upload.data!.data;
    const put = await exports.default.fetch(new Request(uploadFileUrl, { method: "PUT", body: "quarterly numbers", headers: { "Content-Length": "17" } }));
    expect(put.status).toBe(200);

    const completed = await connecteam.PUT("/attachments/v1/files/complete-upload/{fileId}", { params: { path: { fileId } } });
    check("/attachments/v1/files/complete-upload/{fileId}", "put", completed, completed.data);
    const file = await connecteam.GET("/attachments/v1/files/{fileId}", { params: { path: { fileId } } });
    check("/attachments/v1/files/{fileId}", "get", file, file.data);
    const download = await connecteam.POST("/attachments/v1/files/download-url", { body: { fileUrl: file.data!.data.fileUrl!, expirationInSeconds: 600 } });
    check("/attachments/v1/files/download-url", "post", download, download.data);

    const sent = await connecteam.POST("/chat/v1/conversations/{conversationId}/message", {
      params: { path: { conversationId } },
      body: { senderId: bot.id, text: "Numbers are in", attachments: [{ type: "file", fileId }] },
    });
    check("/chat/v1/conversations/{conversationId}/message", "post", sent, sent.data);
    const dm = await connecteam.POST("/chat/v1/conversations/privateMessage/{userId}", {
      params: { path: { userId: Number(bob.id) } },
      body: { senderId: bot.id, text: "Just for you", attachments: [] },
    });
    check("/chat/v1/conversations/privateMessage/{userId}", "post", dm, dm.data);

    const publishers = await connecteam.GET("/publishers/v1/publishers", { params: { query: { limit: 10, offset: 0 } } });
    check("/publishers/v1/publishers", "get", publishers, publishers.data);
    expect(publishers.data!.data.publishers.some((p) => p.id === bot.id)).toBe(true);

    const token = await client({ Authorization: `Basic ${btoa(`${key.id}:${key.key}`)}` }).POST("/oauth/v1/token", {
      body: { grant_type: "client_credentials" },
      bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    check("/oauth/v1/token", "post", token, token.data);

    // Webhook settings (the receiver is loopback: allowed while DEV_LOGIN=true, as in tests).
    const hook = await connecteam.POST("/settings/v1/webhooks", {
      body: { name: "Generated hook", url: `${env.WEBHOOK_RECEIVER}/generated`, featureType: "chat", eventTypes: ["message_created"], isDisabled: false, webhookVersion: 1 },
    });
    check("/settings/v1/webhooks", "post", hook, hook.data);
    const webhookId = hook.data!.data.id;
    const hooks = await connecteam.GET("/settings/v1/webhooks", { params: { query: { featureType: "chat", limit: 10, offset: 0 } } });
    check("/settings/v1/webhooks", "get", hooks, hooks.data);
    const one = await connecteam.GET("/settings/v1/webhooks/{webhookId}", { params: { path: { webhookId } } });
    check("/settings/v1/webhooks/{webhookId}", "get", one, one.data);
    const renamed = await connecteam.PUT("/settings/v1/webhooks/{webhookId}", { params: { path: { webhookId } }, body: { name: "Renamed hook" } });
    check("/settings/v1/webhooks/{webhookId}", "put", renamed, renamed.data);
    const removed = await connecteam.DELETE("/settings/v1/webhooks/{webhookId}", { params: { path: { webhookId } } });
    check("/settings/v1/webhooks/{webhookId}", "delete", removed, removed.data);
  });
});
