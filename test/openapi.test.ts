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
