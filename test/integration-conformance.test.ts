/**
 * Conformance with Connecteam's own OpenAPI document (test/fixtures/connecteam-chat-openapi.json,
 * copied verbatim from the shared reference): every integration operation we serve is called
 * through the real Worker, and each answer's status and body are validated against the
 * reference's response schema for that operation and status (ajv, JSON Schema 2020-12). Our
 * /openapi.json is compared with the reference too. Drift in either fails here.
 */
import { describe, expect, it } from "vitest";
import { call, createChannel, fetchUrl, newUser } from "./helpers/api";
import { expectEveryStatusSeen, judged, key, validatorFor } from "./helpers/conformance";
import { makePng } from "./helpers/images";
import { apiKey, basic, numericId, numericUser, publisher } from "./helpers/integration";
import { compareSchemas, findOperation, type Operation, REFERENCE, referenceOperations, toJsonSchema } from "./helpers/openapi";

/** Operations another file covers (its own statuses), and which. */
const ELSEWHERE: Record<string, string> = {
  "/settings/v1/webhooks": "integration-conformance-webhooks.test.ts",
  "/settings/v1/webhooks/{webhookId}": "integration-conformance-webhooks.test.ts",
};
const served = referenceOperations().filter((o) => !ELSEWHERE[o.template]);

/**
 * The reference lists 422 on every operation (FastAPI's default); two cannot produce it: GET
 * …/files/{fileId} takes only a string, and the token endpoint's form fields all have defaults (bad
 * values are RFC 6749 400s).
 */
const cannotAnswer = (o: Operation, status: string) => status === "422" && (o.operationId.startsWith("get_file_url") || o.operationId.startsWith("oauth_token"));

describe("every served operation answers as Connecteam's OpenAPI document says", () => {
  it("GET /chat/v1/conversations", async () => {
    const { key: k } = await apiKey();
    const alice = await newUser();
    await createChannel(alice, { type: "group", name: "Team" });
    await createChannel(alice, { type: "room", name: "News", broadcast: true });
    const page = await judged("GET", "/chat/v1/conversations?limit=100", key(k));
    expect(page.json.data.conversations.length).toBeGreaterThanOrEqual(2);
    await judged("GET", "/chat/v1/conversations?limit=1&offset=1", key(k));
    await judged("GET", "/chat/v1/conversations?limit=0", key(k));
    await judged("GET", "/chat/v1/conversations?offset=abc", key(k));
    await judged("GET", "/chat/v1/conversations");
    await judged("GET", "/chat/v1/conversations", key((await apiKey(["publishers.read"])).key));
  });

  it("POST /chat/v1/conversations", async () => {
    const { key: k } = await apiKey();
    const [a, b] = [await numericUser(), await numericUser()];
    const body = { title: "Shift", type: "team", assignedUserIds: [Number(a.id), Number(b.id)], adminUserIds: [Number(a.id)], isLocked: false, isMembersHidden: false, description: [{ type: "html", html: "<b>hi</b>" }] };
    const res = await judged("POST", "/chat/v1/conversations", { ...key(k), body, conformantBody: true });
    expect(res.status).toBe(200);
    await judged("POST", "/chat/v1/conversations", { ...key(k), body: { title: "Channel", type: "channel", assignedUserIds: [Number(a.id)] }, conformantBody: true });
    await judged("POST", "/chat/v1/conversations", { ...key(k), body: { type: "team" } });
    await judged("POST", "/chat/v1/conversations", { ...key(k), body: { title: "x", type: "group", assignedUserIds: [1] } });
    await judged("POST", "/chat/v1/conversations", { ...key(k), body: { title: "x", type: "team", assignedUserIds: [Number(numericId())] }, conformantBody: true });
    await judged("POST", "/chat/v1/conversations", { ...key((await apiKey(["chat.read"])).key), body });
  });

  it("POST /chat/v1/conversations/{conversationId}/message", async () => {
    const { key: k } = await apiKey();
    const pub = await publisher();
    const alice = await newUser();
    const group = await createChannel(alice, { type: "group", name: "Ops" });
    const path = `/chat/v1/conversations/${group.id}/message`;
    expect((await judged("POST", path, { ...key(k), body: { senderId: pub.id, text: "Deploy done" }, conformantBody: true })).status).toBe(200);
    // With attachments (an image and a file), uploaded through the attachments API.
    const png = await makePng(4, 4);
    const ids: string[] = [];
    for (const [name, bytes] of [["a.png", png], ["b.pdf", new TextEncoder().encode("%PDF")]] as const) {
      const gen = await judged("POST", "/attachments/v1/files/generate-upload-url", { ...key(k), body: { fileName: name, featureType: "chat" }, conformantBody: true });
      await fetchUrl(gen.json.data.uploadFileUrl, { method: "PUT", body: bytes, headers: { "Content-Length": String(bytes.byteLength) } });
      ids.push((await judged("PUT", `/attachments/v1/files/complete-upload/${gen.json.data.fileId}`, key(k))).json.data.fileId);
    }
    const attachments = [{ type: "image", fileId: ids[0] }, { type: "file", fileId: ids[1] }];
    expect((await judged("POST", path, { ...key(k), body: { senderId: pub.id, text: "", attachments }, conformantBody: true })).status).toBe(200);
    const long = await judged("POST", path, { ...key(k), body: { senderId: pub.id, text: "x".repeat(1001) } });
    expect(long.json.detail[0].loc).toEqual(["body", "text"]);
    await judged("POST", path, { ...key(k), body: { senderId: pub.id, text: "x", attachments: [{ type: "gif", fileId: "1" }] } });
    await judged("POST", "/chat/v1/conversations/1234567890123456789/message", { ...key(k), body: { senderId: pub.id, text: "x" }, conformantBody: true });
    await judged("POST", path, { ...key(k), body: { senderId: 99999999, text: "x" }, conformantBody: true });
  });

  it("POST /chat/v1/conversations/privateMessage/{userId}", async () => {
    const { key: k } = await apiKey();
    const pub = await publisher();
    const user = await numericUser();
    expect((await judged("POST", `/chat/v1/conversations/privateMessage/${user.id}`, { ...key(k), body: { senderId: pub.id, text: "hi" }, conformantBody: true })).status).toBe(200);
    await judged("POST", "/chat/v1/conversations/privateMessage/not-a-number", { ...key(k), body: { senderId: pub.id, text: "hi" } });
    await judged("POST", `/chat/v1/conversations/privateMessage/${user.id}`, { ...key(k), body: { senderId: pub.id } });
    await judged("POST", `/chat/v1/conversations/privateMessage/${numericId()}`, { ...key(k), body: { senderId: pub.id, text: "hi" }, conformantBody: true });
  });

  it("the attachments API: generate-upload-url, complete-upload, file metadata, download-url", async () => {
    const { key: k } = await apiKey();
    const other = await apiKey();
    const gen = await judged("POST", "/attachments/v1/files/generate-upload-url", { ...key(k), body: { fileName: "r.csv", fileTypeHint: "text/csv", featureType: "chat" }, conformantBody: true });
    const { fileId, uploadFileUrl } = gen.json.data;
    await judged("POST", "/attachments/v1/files/generate-upload-url", { ...key(k), body: { fileName: "r.csv", featureType: "timeclock" } });
    await judged("POST", "/attachments/v1/files/generate-upload-url", { ...key(k), body: { fileName: "r.csv", featureType: "users" }, conformantBody: true });
    expect((await judged("GET", `/attachments/v1/files/${fileId}`, key(k))).json.data.uploadCompleted).toBe(false);
    await judged("PUT", `/attachments/v1/files/complete-upload/${fileId}`, key(k)); // 422: no bytes yet
    const bytes = new TextEncoder().encode("a,b\n1,2\n");
    await fetchUrl(uploadFileUrl, { method: "PUT", body: bytes, headers: { "Content-Length": String(bytes.byteLength) } });
    expect((await judged("PUT", `/attachments/v1/files/complete-upload/${fileId}`, key(k))).status).toBe(200);
    await judged("PUT", `/attachments/v1/files/complete-upload/${fileId}`, key(other.key));
    const meta = await judged("GET", `/attachments/v1/files/${fileId}`, key(k));
    expect(meta.json.data).toMatchObject({ uploadCompleted: true, featureType: "chat", fileType: "text/csv" });
    await judged("GET", `/attachments/v1/files/${fileId}`, key(other.key));
    const body = { fileUrl: meta.json.data.fileUrl, expirationInSeconds: 120 };
    expect((await judged("POST", "/attachments/v1/files/download-url", { ...key(k), body, conformantBody: true })).status).toBe(200);
    await judged("POST", "/attachments/v1/files/download-url", { ...key(k), body: { fileUrl: meta.json.data.fileUrl, expirationInSeconds: 1 } });
    await judged("POST", "/attachments/v1/files/download-url", { ...key(other.key), body, conformantBody: true });
  });

  it("GET /publishers/v1/publishers", async () => {
    const { key: k } = await apiKey();
    await publisher("With image");
    await publisher("Without image", null);
    const res = await judged("GET", "/publishers/v1/publishers?limit=100", key(k));
    expect(res.json.data.publishers.length).toBeGreaterThanOrEqual(2);
    await judged("GET", "/publishers/v1/publishers?limit=101", key(k));
    await judged("GET", "/publishers/v1/publishers", key((await apiKey(["chat.read"])).key));
  });

  it("POST /oauth/v1/token, and the token on every other operation", async () => {
    const k = await apiKey();
    const auth = basic(k.id, k.key);
    const issued = await judged("POST", "/oauth/v1/token", { headers: { Authorization: auth }, form: { grant_type: "client_credentials", scope: "chat.read publishers.read" }, conformantBody: true });
    expect(issued.status).toBe(200);
    await judged("POST", "/oauth/v1/token", { headers: { Authorization: auth }, form: {}, conformantBody: true });
    await judged("POST", "/oauth/v1/token", { headers: { Authorization: auth }, form: { grant_type: "authorization_code" }, conformantBody: true });
    await judged("POST", "/oauth/v1/token", { headers: { Authorization: basic(k.id, `ck_${"z".repeat(43)}`), "CF-Connecting-IP": "203.0.113.9" }, form: { grant_type: "client_credentials" } });
    await judged("POST", "/oauth/v1/token", { headers: { Authorization: auth }, form: { grant_type: "client_credentials", scope: "users.read" }, conformantBody: true });
    const bearer = { headers: { Authorization: `Bearer ${issued.json.access_token}` } };
    expect((await judged("GET", "/chat/v1/conversations", bearer)).status).toBe(200);
    expect((await judged("GET", "/publishers/v1/publishers", bearer)).status).toBe(200);
    expect((await judged("POST", "/attachments/v1/files/generate-upload-url", { ...bearer, body: { fileName: "a", featureType: "chat" } })).status).toBe(403);
  });

  it("covered every documented status of every operation this file covers", () => {
    expectEveryStatusSeen(served, cannotAnswer);
  });
});

describe("the judge itself", () => {
  it("rejects drift: a missing required field, a wrong type, an unknown enum value, an undocumented status", async () => {
    const good = { requestId: "r", data: { conversations: [{ id: "1", title: "t", type: "team", conversationSource: "api" }] }, paging: { offset: 1 } };
    const schema = { $ref: "#/components/schemas/PaginatedBaseResponse_ConversationsResponse_" };
    expect(validatorFor(schema)(good)).toBe(true);
    const item = good.data.conversations[0]!;
    for (const bad of [{ id: "1", title: "t", type: "team" }, { ...item, id: 1 }, { ...item, type: "dm" }]) {
      expect(validatorFor(schema)({ ...good, data: { conversations: [bad] } })).toBe(false);
    }
    expect(validatorFor(schema)({ requestId: "r", data: good.data })).toBe(false); // paging is required
    const refSchema = REFERENCE.components.schemas.ConversationResponse;
    const { conversationSource: _, ...fewer } = refSchema.properties;
    expect(compareSchemas(REFERENCE, refSchema, REFERENCE, { ...refSchema, properties: fewer }, "response")).toEqual(["$.conversationSource: missing"]);
    expect(compareSchemas(REFERENCE, refSchema, REFERENCE, { ...refSchema, required: ["id"] }, "response")).toHaveLength(3);
    // OpenAPI 3.0 spellings, should a later copy of the document use them.
    expect(toJsonSchema({ type: "string", nullable: true, enum: ["a"] })).toEqual({ type: ["string", "null"], enum: ["a", null] });
    expect(toJsonSchema({ $ref: "#/components/schemas/BaseResponse", nullable: true })).toEqual({ anyOf: [{ $ref: expect.stringMatching(/#\/\$defs\/BaseResponse$/) }, { type: "null" }] });
    expect(toJsonSchema({ type: "integer", minimum: 5, exclusiveMinimum: true, example: 6 })).toEqual({ type: "integer", exclusiveMinimum: 5 });
    expect(toJsonSchema({ oneOf: [{ $ref: "#/components/schemas/ImageAttachmentRequest" }], discriminator: { propertyName: "type" } })).not.toHaveProperty("discriminator");
    expect(validatorFor({ type: "string", nullable: true })(null)).toBe(true);
    expect(findOperation("POST", "/attachments/v1/files/download-url")?.operationId).toMatch(/^generate_download_url/);
    expect(findOperation("GET", "/attachments/v1/files/123")?.operationId).toMatch(/^get_file_url/);
    expect(findOperation("GET", "/chat/v1/nowhere")).toBeUndefined();
  });
});

describe("/openapi.json documents the integration API with the reference's schemas", () => {
  it("has every operation with the reference's security, parameters, request body, statuses and response schemas", async () => {
    const ours = (await call("GET", "/openapi.json")).json;
    const problems: string[] = [];
    for (const o of referenceOperations()) {
      const mine = ours.paths[o.template]?.[o.method];
      const where = `${o.method.toUpperCase()} ${o.template}`;
      if (!mine) {
        problems.push(`${where}: not documented`);
        continue;
      }
      if (JSON.stringify(mine.security) !== JSON.stringify(o.op.security)) problems.push(`${where}: security ${JSON.stringify(mine.security)}, reference ${JSON.stringify(o.op.security)}`);
      if (Boolean(mine.deprecated) !== Boolean(o.op.deprecated)) problems.push(`${where}: deprecated ${Boolean(mine.deprecated)}`);
      for (const p of o.op.parameters ?? []) {
        const m = (mine.parameters ?? []).find((x: any) => x.name === p.name && x.in === p.in);
        if (!m) problems.push(`${where}: parameter ${p.in} ${p.name} missing`);
        else {
          if (Boolean(m.required) !== Boolean(p.required)) problems.push(`${where}: parameter ${p.name} required ${Boolean(m.required)}`);
          problems.push(...compareSchemas(REFERENCE, p.schema, ours, m.schema, "request", `${where} ${p.in}.${p.name}`));
        }
      }
      for (const [type, content] of Object.entries<any>(o.op.requestBody?.content ?? {})) {
        const m = mine.requestBody?.content?.[type];
        if (!m) problems.push(`${where}: request body ${type} missing`);
        else problems.push(...compareSchemas(REFERENCE, content.schema, ours, m.schema, "request", `${where} body`));
      }
      for (const [status, response] of Object.entries<any>(o.op.responses)) {
        const m = mine.responses?.[status];
        if (!m) {
          problems.push(`${where}: response ${status} missing`);
          continue;
        }
        const refSchema = response.content?.["application/json"]?.schema;
        if (!refSchema) continue;
        const mySchema = m.content?.["application/json"]?.schema;
        if (status === "200" && refSchema.$ref && mySchema?.$ref !== refSchema.$ref) problems.push(`${where} ${status}: schema ${mySchema?.$ref}, reference ${refSchema.$ref}`);
        if (status === "404") continue; // the reference's 404 is its free-form ValidationErrorResponse; ours is the narrower IntegrationError
        problems.push(...compareSchemas(REFERENCE, refSchema, ours, mySchema, "response", `${where} ${status}`));
      }
    }
    const schemes = ours.components.securitySchemes;
    const ref = REFERENCE.components.securitySchemes;
    for (const name of ["APIKeyHeader", "HTTPBasic"]) {
      const { description: _a, ...mine } = schemes[name] ?? {};
      const { description: _b, ...theirs } = ref[name];
      if (JSON.stringify(mine) !== JSON.stringify(theirs)) problems.push(`securitySchemes.${name}: ${JSON.stringify(mine)}, reference ${JSON.stringify(theirs)}`);
    }
    const flow = schemes.OAuth2?.flows?.clientCredentials;
    if (schemes.OAuth2?.type !== "oauth2" || flow?.tokenUrl !== ref.OAuth2.flows.clientCredentials.tokenUrl) problems.push("securitySchemes.OAuth2: not the reference's client-credentials flow");
    for (const scope of Object.keys(flow?.scopes ?? {})) if (!ref.OAuth2.flows.clientCredentials.scopes[scope]) problems.push(`securitySchemes.OAuth2: scope ${scope} unknown to the reference`);
    expect(problems).toEqual([]);
  });
});
