/**
 * The conformance judge shared by the conformance test files: one request through the Worker,
 * judged by Connecteam's OpenAPI document (status listed, body valid against its schema), and a
 * record of which statuses each operation was seen answering (per test file: each runs in its own
 * isolate, so each checks the operations it covers).
 */
import { expect } from "vitest";
import { call, type CallOptions } from "./api";
import { tokenRequest } from "./integration";
import { findOperation, type Operation, referenceValidator } from "./openapi";

export const validatorFor = referenceValidator();

/** Statuses the reference does not list but an honest server must send (auth, not found, limits). */
export const UNDOCUMENTED = [401, 403, 404, 413, 429];

/** RFC 6749 section 5.2, for the token endpoint's errors (the reference gives them no body schema). */
const OAUTH_ERROR = {
  type: "object",
  required: ["error"],
  additionalProperties: false,
  properties: {
    error: { enum: ["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope", "rate_limited"] },
    error_description: { type: "string" },
    error_uri: { type: "string" },
  },
};

/** Our error body beside a 4xx the reference does not list: Connecteam's error model, our fields. */
const ENVELOPE_ERROR = {
  allOf: [
    { $ref: "#/components/schemas/ValidationErrorResponse" },
    {
      type: "object",
      required: ["error", "path", "request_id"],
      additionalProperties: false,
      properties: { error: { type: "string" }, path: { type: "string" }, request_id: { type: "string" } },
    },
  ],
};

/** operationId → statuses seen answering in this file. */
export const seen = new Map<string, Set<string>>();

export function validate(schema: unknown, value: unknown, what: string) {
  const check = validatorFor(schema);
  const ok = check(value);
  expect(ok, `${what}: ${JSON.stringify(check.errors)}\n${JSON.stringify(value)}`).toBe(true);
}

/** The reference's JSON schema of an operation's request body. */
function requestSchema(op: Operation) {
  const content = op.op.requestBody?.content ?? {};
  return (content["application/json"] ?? content["application/x-www-form-urlencoded"])?.schema;
}

/**
 * One request through the Worker, judged by the reference: the operation must exist there, the
 * status must be one it lists (or an undocumented auth/limit error), the body must match. With
 * `conformantBody`, the body we send is first checked against the reference's request schema.
 */
export async function judged(method: string, path: string, opts: CallOptions & { conformantBody?: boolean; form?: Record<string, string> } = {}) {
  const op = findOperation(method, path);
  expect(op, `${method} ${path} is not an operation of the reference`).toBeDefined();
  if (opts.conformantBody) validate(requestSchema(op!), opts.form ?? opts.body ?? {}, `request to ${op!.operationId}`);
  const res = opts.form
    ? await tokenRequest(opts.headers?.Authorization, new URLSearchParams(opts.form).toString(), opts.headers)
    : await call(method, path, opts);
  const status = String(res.status);
  const documented = op!.op.responses[status];
  const oauth = op!.template === "/oauth/v1/token";
  let schema: unknown;
  if (documented) {
    schema = documented.content?.["application/json"]?.schema ?? (oauth ? OAUTH_ERROR : undefined);
  } else {
    expect(UNDOCUMENTED, `${op!.operationId} answered ${status} (${res.text}), which the reference does not list`).toContain(res.status);
    schema = oauth ? OAUTH_ERROR : ENVELOPE_ERROR;
    if (res.status === 401) expect(res.headers.get("WWW-Authenticate"), "401 without a challenge").toBeTruthy();
  }
  expect(schema, `no schema for ${op!.operationId} ${status}`).toBeDefined();
  expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  validate(schema, res.json, `${method} ${path} → ${status}`);
  if (!seen.has(op!.operationId)) seen.set(op!.operationId, new Set());
  seen.get(op!.operationId)!.add(status);
  return res;
}

/** Every status the reference lists for each operation must have been seen answering. */
export function expectEveryStatusSeen(ops: Operation[], skip: (o: Operation, status: string) => boolean = () => false) {
  for (const o of ops) {
    const missing = Object.keys(o.op.responses).filter((s) => !skip(o, s) && !seen.get(o.operationId)?.has(s));
    expect(missing, `${o.method.toUpperCase()} ${o.template} (${o.operationId}) never answered ${missing.join(", ")} here`).toEqual([]);
  }
}

export const key = (k: string, extra: Record<string, string> = {}) => ({ headers: { "X-API-KEY": k, ...extra } });
