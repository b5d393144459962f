// `npm run deploy:setup`: creates on your Cloudflare account whatever wrangler.toml names and is
// missing (a D1 database per binding, the R2 bucket, the queues), writes the D1 ids into
// wrangler.toml, applies every D1 migration remotely and sets the secrets. Safe to run again: what
// exists is left alone. Then `npm run deploy`.
//
// Needs `wrangler login` or CLOUDFLARE_API_TOKEN (+ CLOUDFLARE_ACCOUNT_ID). Secrets come from the
// environment (JWT_SECRET, ADMIN_TOKEN, FILE_URL_SECRET, VAPID_PRIVATE_KEY) or are asked for without
// echo; an empty answer to a secret that is only ours (ADMIN_TOKEN, FILE_URL_SECRET, VAPID_PRIVATE_KEY)
// generates a random one. Every secret is at least 32 bytes (an HMAC key or a bearer token shorter
// than that is guessable offline or online). A generated ADMIN_TOKEN is shown only on a terminal;
// otherwise (CI logs, a pipe) it goes to a file only its owner can read, and the output says where.
// WRANGLER=<command> runs another wrangler (the test suite points it at a recording stand-in).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { deployResources, withDatabaseIds } from "./deploy-config.mjs";
import { askSecret } from "./secret-prompt.mjs";
import { newVapidPrivateKey } from "./dev-vars.mjs";

const CONFIG = process.env.WRANGLER_CONFIG ?? "wrangler.toml";
const SECRETS = [
  { name: "JWT_SECRET", generate: false, why: "HS256 key your backend signs user tokens with (or anything, if JWT_JWKS_URL is set)" },
  { name: "ADMIN_TOKEN", generate: true, show: true, why: "bearer token for /admin/v1" },
  { name: "FILE_URL_SECRET", generate: true, why: "HMAC key of signed file and upload URLs" },
  // Changing it later invalidates every browser's push subscription: generated once, then left alone.
  { name: "VAPID_PRIVATE_KEY", generate: newVapidPrivateKey, why: "Web Push signing key (P-256 private key, base64url)" },
];

/** Shortest secret accepted, in UTF-8 bytes (a generated one is 32 random bytes). */
const MIN_SECRET_BYTES = 32;
const tooShort = (value) => Buffer.byteLength(value, "utf8") < MIN_SECRET_BYTES;
/** Where a generated ADMIN_TOKEN goes when stdout is not a terminal: beside the config, gitignored. */
const ADMIN_TOKEN_FILE = path.join(path.dirname(path.resolve(CONFIG)), ".admin-token");

// Exported secrets are checked before anything is created, so a bad one stops the run at once.
for (const secret of SECRETS) {
  const value = process.env[secret.name];
  if (value && tooShort(value)) {
    console.error(`${secret.name} must be at least ${MIN_SECRET_BYTES} bytes (the exported one has ${Buffer.byteLength(value, "utf8")}); unset it${secret.generate ? " to generate one" : ""} or export a longer one`);
    process.exit(1);
  }
}

const [bin, ...binArgs] = (process.env.WRANGLER ?? `${process.execPath} node_modules/wrangler/bin/wrangler.js`).split(" ");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };

/** Runs wrangler; its output, or exits with wrangler's own message when it fails. */
function wrangler(args, { input, quiet = true, orElse } = {}) {
  const run = spawnSync(bin, [...binArgs, ...args, "--config", CONFIG], { env, input, encoding: "utf8" });
  if (run.status !== 0 && orElse !== undefined) return orElse;
  if (run.status !== 0) {
    console.error(`wrangler ${args.join(" ")} failed:\n${run.stderr || run.stdout}`);
    process.exit(run.status ?? 1);
  }
  if (!quiet) process.stdout.write(run.stdout);
  return run.stdout;
}

const step = (text) => console.log(`\n▸ ${text}`);
const names = (listing) => new Set(listing.split(/[^\w.-]+/).filter(Boolean));

const toml = readFileSync(CONFIG, "utf8");
const resources = await deployResources(CONFIG);

step("D1 databases");
const listDatabases = () => JSON.parse(wrangler(["d1", "list", "--json"]));
let databases = listDatabases();
for (const db of resources.databases) {
  if (databases.some((d) => d.name === db.name)) console.log(`  ${db.name}: exists`);
  else {
    wrangler(["d1", "create", db.name]);
    console.log(`  ${db.name}: created`);
  }
}
databases = listDatabases();
const ids = Object.fromEntries(resources.databases.map((db) => [db.binding, databases.find((d) => d.name === db.name)?.uuid]));
const updated = withDatabaseIds(toml, ids);
if (updated !== toml) {
  writeFileSync(CONFIG, updated);
  console.log(`  database ids written to ${CONFIG}`);
}

step("R2 bucket");
const buckets = names(wrangler(["r2", "bucket", "list"]));
for (const bucket of resources.buckets) {
  if (buckets.has(bucket)) console.log(`  ${bucket}: exists`);
  else wrangler(["r2", "bucket", "create", bucket]), console.log(`  ${bucket}: created`);
}

step("Queues");
const queues = names(wrangler(["queues", "list"]));
for (const queue of resources.queues) {
  if (queues.has(queue)) console.log(`  ${queue}: exists`);
  else wrangler(["queues", "create", queue]), console.log(`  ${queue}: created`);
}

step("Migrations (remote)");
for (const db of resources.databases.filter((d) => d.migrations)) {
  wrangler(["d1", "migrations", "apply", db.binding, "--remote"], { quiet: false });
}

step("Secrets");
// Before the first deploy there is no Worker to list secrets of (`secret put` then creates it).
const existing = new Set(JSON.parse(wrangler(["secret", "list", "--format", "json"], { orElse: "[]" })).map((s) => s.name));
for (const secret of SECRETS) {
  let value = process.env[secret.name];
  if (!value && existing.has(secret.name)) {
    console.log(`  ${secret.name}: already set (export it to replace it)`);
    continue;
  }
  while (!value && process.stdin.isTTY) {
    value = (await askSecret(`  ${secret.name} — ${secret.why}${secret.generate ? " (empty: generate)" : ""}, at least ${MIN_SECRET_BYTES} bytes: `)).trim();
    if (!value) break;
    if (tooShort(value)) {
      console.error(`  ${secret.name} must be at least ${MIN_SECRET_BYTES} bytes (that was ${Buffer.byteLength(value, "utf8")}); try again`);
      value = undefined;
    }
  }
  if (!value && secret.generate) {
    value = typeof secret.generate === "function" ? secret.generate() : randomBytes(MIN_SECRET_BYTES).toString("base64url");
    // You call /admin/v1 with it, so it is handed over once; a generated URL-signing key nobody needs to see.
    if (secret.show) showGenerated(secret.name, value);
  }
  if (!value) {
    console.error(`  ${secret.name} is required: export it or run this in a terminal`);
    process.exit(1);
  }
  wrangler(["secret", "put", secret.name], { input: value });
  console.log(`  ${secret.name}: set`);
}
console.log("\nReady: npm run deploy");

/**
 * Hands a generated secret to the person running this: on their terminal, or, when stdout is a
 * pipe or a file (CI logs keep everything), in a file readable only by its owner (0600).
 */
function showGenerated(name, value) {
  if (process.stdout.isTTY) return console.log(`  ${name} generated — keep it: ${value}`);
  // A fresh file, so an older one's looser mode is not kept; "wx" refuses to follow a planted link.
  rmSync(ADMIN_TOKEN_FILE, { force: true });
  writeFileSync(ADMIN_TOKEN_FILE, `${value}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(ADMIN_TOKEN_FILE, 0o600); // whatever the umask
  console.log(`  ${name} generated — written to ${ADMIN_TOKEN_FILE} (mode 600; not printed: output is not a terminal). Keep it, then delete the file.`);
}
