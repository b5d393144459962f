// The OpenAPI document as a client generator and a reader use it: every error response says which
// codes its status carries, with an example of each.
import { describe, expect, it } from "vitest";
import { ERROR_STATUS } from "../src/platform/errors";
import { expectStatus } from "./helpers/api";
import { rawRequest } from "./helpers/client";

type Operation = { responses: Record<string, { content?: Record<string, { examples?: Record<string, { value: { error: { code: string; message: string } } }> }> }> };

async function operations() {
  const doc = await expectStatus(rawRequest("GET", "/openapi.json"), 200);
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  return Object.entries(paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })));
}

describe("/openapi.json", () => {
  it("gives every /v1 error response an example per code that status carries, each with a real message", async () => {
    const v1 = (await operations()).filter((o) => o.name.includes(" /v1/"));
    expect(v1.length).toBeGreaterThan(30);
    for (const { name, op } of v1) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const examples = response.content?.["application/json"]?.examples ?? {};
        const codes = Object.values(examples).map((e) => e.value.error.code);
        expect(codes.length, `${name} ${status}`).toBeGreaterThan(0);
        for (const example of Object.values(examples)) {
          expect(ERROR_STATUS[example.value.error.code as keyof typeof ERROR_STATUS], `${name} ${status} ${example.value.error.code}`).toBe(Number(status));
          expect(example.value.error.message.length).toBeGreaterThan(5);
        }
      }
    }
    const sendMessage = (await operations()).find((o) => o.name === "POST /v1/channels/{channelID}/messages")!;
    const forbidden = Object.keys(sendMessage.op.responses["403"]!.content!["application/json"]!.examples!);
    expect(forbidden).toEqual(expect.arrayContaining(["CHAT_NOT_MEMBER", "CHAT_BROADCAST_ONLY", "CHAT_DM_BLOCKED_USER"]));
  });
});

/**
 * Paths whose operations are documented for app developers (a description of what the operation
 * does, who may call it and its rules). Extend the list as more features are documented; "/" covers all.
 * A prefix ending in "$" matches that exact path only.
 */
const DESCRIBED_PATHS = [
  "/v1/channels$",
  "/v1/channels/{channelID}$",
  "/v1/rooms",
  "/v1/channels/{channelID}/members",
  "/v1/channels/{channelID}/typing",
  "/v1/channels/{channelID}/messages/{messageID}/attachments/",
  "/v1/users/",
  "/v1/dev/",
  "/v1/attachments",
  "/files/",
  "/uploads/",
  "/admin/v1/users/",
  "/admin/v1/api-keys",
  "/admin/v1/publishers",
  "/admin/v1/webhooks",
  "/oauth/v1/",
  "/chat/v1/",
  "/attachments/v1/",
  "/publishers/v1/",
  "/settings/v1/",
];

const described = (path: string) => DESCRIBED_PATHS.some((p) => (p.endsWith("$") ? path === p.slice(0, -1) : path.startsWith(p)));

/** Every string found in `example` / `examples` values anywhere in the document, with where it is. */
function exampleStrings(node: unknown, at = "$", inExample = false, out: { at: string; value: string }[] = []) {
  if (typeof node === "string") {
    if (inExample) out.push({ at, value: node });
  } else if (Array.isArray(node)) {
    node.forEach((v, i) => exampleStrings(v, `${at}[${i}]`, inExample, out));
  } else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) exampleStrings(v, `${at}.${k}`, inExample || k === "example" || k === "examples", out);
  }
  return out;
}

describe("/openapi.json for app developers", () => {
  it("describes every operation under the documented paths", async () => {
    const doc = await expectStatus(rawRequest("GET", "/openapi.json"), 200);
    const paths = doc.paths as Record<string, Record<string, { description?: string }>>;
    const covered = Object.entries(paths)
      .filter(([path]) => described(path))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })));
    expect(covered.length).toBeGreaterThanOrEqual(50);
    expect(covered.filter(({ op }) => !(op.description ?? "").trim()).map(({ name }) => name)).toEqual([]);
    // The matcher itself: exact entries do not leak to sub-paths.
    expect(described("/v1/channels/{channelID}/messages")).toBe(false);
    expect(described("/v1/channels/{channelID}/members/me")).toBe(true);
  });

  it("has no placeholder example: none is the bare word \"string\"", async () => {
    const doc = await expectStatus(rawRequest("GET", "/openapi.json"), 200);
    const strings = exampleStrings(doc);
    expect(strings.length).toBeGreaterThan(50);
    expect(strings.filter((s) => s.value === "string")).toEqual([]);
    expect(exampleStrings({ a: { example: { b: ["string"] } }, c: "string" })).toEqual([{ at: "$.a.example.b[0]", value: "string" }]);
  });
});
