/**
 * Connecteam's OpenAPI document as the judge of the integration API: its schemas turned into JSON
 * Schema for ajv, its operations matched to requests, and a structural comparison with our
 * /openapi.json.
 *
 * Why ajv runs here at all: workerd forbids code generation (`new Function`), and ajv compiles
 * schemas into functions. Under @cloudflare/vitest-plugin the test isolate gets workerd's
 * unsafe-eval binding (the plugin's module runner needs it and routes `new Function` through it),
 * so ajv's compiler works in tests; the Worker itself never evaluates code.
 */
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import reference from "../fixtures/connecteam-chat-openapi.json";

type Json = any;
export const REFERENCE: Json = reference;

const SCHEMAS_ID = "https://reference.test/connecteam-chat-openapi.json";

/** OpenAPI-only keywords that JSON Schema 2020-12 does not know: annotations, or (discriminator) implied by oneOf. */
const DROP = new Set(["example", "examples", "xml", "externalDocs", "deprecated", "discriminator", "readOnly", "writeOnly"]);

/**
 * An OpenAPI 3.0/3.1 schema as JSON Schema 2020-12: `nullable` becomes a null type, boolean
 * `exclusiveMinimum`/`exclusiveMaximum` (3.0) become numbers, `discriminator` is dropped (its `oneOf`
 * already decides), component `$ref`s point into one registered schema.
 */
export function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== "object") return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROP.has(key) || key === "nullable") continue;
    if (key === "$ref" && typeof value === "string") {
      out.$ref = value.replace(/^#\/components\/schemas\//, `${SCHEMAS_ID}#/$defs/`);
    } else if (key === "properties" || key === "patternProperties" || key === "$defs") {
      out[key] = Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, toJsonSchema(v)]));
    } else if ((key === "exclusiveMinimum" || key === "exclusiveMaximum") && typeof value === "boolean") {
      if (value) out[key] = node[key === "exclusiveMinimum" ? "minimum" : "maximum"];
    } else {
      out[key] = toJsonSchema(value);
    }
  }
  if (node.exclusiveMinimum === true) delete out.minimum;
  if (node.exclusiveMaximum === true) delete out.maximum;
  if (node.nullable === true) {
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else if (Array.isArray(out.type)) out.type = [...new Set([...out.type, "null"])];
    else return { anyOf: [out, { type: "null" }] };
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

/** ajv over the reference: its component schemas registered once, responses compiled on demand. */
export function referenceValidator() {
  const ajv = new Ajv2020({ strict: true, strictTypes: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: SCHEMAS_ID, $defs: toJsonSchema(REFERENCE.components.schemas) });
  const cache = new Map<string, ValidateFunction>();
  return (schema: Json): ValidateFunction => {
    const key = JSON.stringify(schema);
    let validate = cache.get(key);
    if (!validate) {
      validate = ajv.compile(toJsonSchema(schema));
      cache.set(key, validate);
    }
    return validate;
  };
}

export interface Operation {
  method: string;
  template: string;
  operationId: string;
  op: Json;
}

/** Every operation of the reference. */
export function referenceOperations(doc: Json = REFERENCE): Operation[] {
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const [method, op] of Object.entries(item as Record<string, Json>)) {
      if (["get", "put", "post", "delete", "patch"].includes(method)) ops.push({ method, template, operationId: op.operationId, op });
    }
  }
  return ops;
}

/** The reference operation a concrete request is (literal paths before templated ones). */
export function findOperation(method: string, path: string): Operation | undefined {
  const pathname = path.split("?")[0]!;
  const candidates = referenceOperations()
    .filter((o) => o.method === method.toLowerCase())
    .sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
  return candidates.find((o) => new RegExp(`^${o.template.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(pathname));
}

// ---- comparing our /openapi.json with the reference ----------------------------------------------

function resolve(doc: Json, node: Json, seen = 0): Json {
  if (seen > 20 || node === null || typeof node !== "object") return node;
  if (typeof node.$ref === "string") {
    const target = node.$ref.split("/").slice(1).reduce((n: Json, k: string) => n?.[k], doc);
    const { $ref, ...rest } = node;
    return resolve(doc, { ...target, ...rest }, seen + 1);
  }
  // `allOf: [X]` with annotations beside it (how FastAPI wraps a $ref) is X.
  if (Array.isArray(node.allOf) && node.allOf.length === 1) {
    const { allOf, ...rest } = node;
    return resolve(doc, { ...resolve(doc, allOf[0], seen + 1), ...rest }, seen + 1);
  }
  return node;
}

/** The schema without its null alternative (nullability is compared separately, if at all). */
function nonNull(doc: Json, node: Json): Json {
  const s = resolve(doc, node);
  for (const key of ["anyOf", "oneOf"]) {
    if (Array.isArray(s?.[key])) {
      const rest = s[key].filter((b: Json) => resolve(doc, b)?.type !== "null");
      if (rest.length === 1) {
        const { [key]: _, ...others } = s;
        return nonNull(doc, { ...others, ...rest[0] });
      }
    }
  }
  if (Array.isArray(s?.type)) {
    const types = s.type.filter((t: string) => t !== "null");
    return { ...s, type: types.length === 1 ? types[0] : types };
  }
  return s;
}

const CONSTRAINTS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "format", "default"];

/**
 * Differences between the reference schema and ours, as "path: what" lines. `direction` says
 * who sends it: for responses ours must have every field and every required field of the reference;
 * for requests ours must accept every field and require nothing the reference leaves optional.
 */
export function compareSchemas(refDoc: Json, ref: Json, ourDoc: Json, ours: Json, direction: "request" | "response", at = "$"): string[] {
  const r = nonNull(refDoc, ref);
  const o = nonNull(ourDoc, ours);
  if (!o) return [`${at}: missing`];
  const problems: string[] = [];
  if (r.type !== undefined && JSON.stringify(r.type) !== JSON.stringify(o.type)) problems.push(`${at}: type ${JSON.stringify(o.type)}, reference ${JSON.stringify(r.type)}`);
  if (r.enum && JSON.stringify([...r.enum].sort()) !== JSON.stringify([...(o.enum ?? [])].sort())) problems.push(`${at}: enum ${JSON.stringify(o.enum)}, reference ${JSON.stringify(r.enum)}`);
  for (const c of CONSTRAINTS) {
    if (r[c] !== undefined && r[c] !== o[c] && !(c === "default" && JSON.stringify(r[c]) === JSON.stringify(o[c]))) {
      problems.push(`${at}: ${c} ${JSON.stringify(o[c])}, reference ${JSON.stringify(r[c])}`);
    }
  }
  if (r.properties) {
    for (const [name, schema] of Object.entries(r.properties)) {
      if (!o.properties?.[name]) problems.push(`${at}.${name}: missing`);
      else problems.push(...compareSchemas(refDoc, schema, ourDoc, o.properties[name], direction, `${at}.${name}`));
    }
    const refRequired = new Set<string>(r.required ?? []);
    const ourRequired = new Set<string>(o.required ?? []);
    if (direction === "response") {
      for (const name of refRequired) if (!ourRequired.has(name)) problems.push(`${at}.${name}: not required, reference requires it`);
    } else {
      for (const name of ourRequired) if (!refRequired.has(name)) problems.push(`${at}.${name}: required, reference leaves it optional`);
      for (const name of refRequired) if (!ourRequired.has(name)) problems.push(`${at}.${name}: optional, reference requires it`);
    }
  }
  if (r.items) problems.push(...compareSchemas(refDoc, r.items, ourDoc, o.items, direction, `${at}[]`));
  for (const key of ["oneOf", "anyOf"]) {
    if (Array.isArray(r[key])) {
      if (!Array.isArray(o[key]) || o[key].length !== r[key].length) problems.push(`${at}: ${key} of ${o[key]?.length ?? 0}, reference ${r[key].length}`);
      else r[key].forEach((b: Json, i: number) => problems.push(...compareSchemas(refDoc, b, ourDoc, o[key][i], direction, `${at}.${key}[${i}]`)));
    }
  }
  return problems;
}

const validatorOf = referenceValidator();

/**
 * Problems with an answer judged by the reference (empty when it conforms): the operation at `template`,
 * `method`, must list `status`, and `body` must match its JSON schema.
 */
export function validateResponse(template: string, method: string, status: number, body: unknown): string[] {
  const op = referenceOperations().find((o) => o.template === template && o.method === method);
  if (!op) return [`${method} ${template} is not an operation of the reference`];
  const schema = op.op.responses[String(status)]?.content?.["application/json"]?.schema;
  if (!schema) return [`${op.operationId} does not list status ${status}`];
  const validate = validatorOf(schema);
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
