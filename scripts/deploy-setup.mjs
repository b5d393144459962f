// `npm run deploy:setup`: creates on your Cloudflare account whatever wrangler.toml names and is
// missing (a D1 database per binding, the R2 bucket, the queues), writes the D1 ids into
// wrangler.toml, applies every D1 migration remotely and sets the secrets. Safe to run again: what
// exists is left alone. Then `npm run deploy`.
//
// Needs `wrangler login` or CLOUDFLARE_API_TOKEN (+ CLOUDFLARE_ACCOUNT_ID). Secrets come from the
// environment (JWT_SECRET, ADMIN_TOKEN, FILE_URL_SECRET, VAPID_PRIVATE_KEY) or are asked for; an empty answer to a
// secret that is only ours (ADMIN_TOKEN, FILE_URL_SECRET, VAPID_PRIVATE_KEY) generates a random one.
// WRANGLER=<command> runs another wrangler (the test suite points it at a recording stand-in).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { deployResources, withDatabaseIds } from "./deploy-config.mjs";
import { newVapidPrivateKey } from "./dev-vars.mjs";

const CONFIG = process.env.WRANGLER_CONFIG ?? "wrangler.toml";
const SECRETS = [
  { name: "JWT_SECRET", generate: false, why: "HS256 key your backend signs user tokens with (or anything, if JWT_JWKS_URL is set)" },
  { name: "ADMIN_TOKEN", generate: true, show: true, why: "bearer token for /admin/v1" },
  { name: "FILE_URL_SECRET", generate: true, why: "HMAC key of signed file and upload URLs" },
  // Changing it later invalidates every browser's push subscription: generated once, then left alone.
  { name: "VAPID_PRIVATE_KEY", generate: newVapidPrivateKey, why: "Web Push signing key (P-256 private key, base64url)" },
];

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
const prompt = process.stdin.isTTY ? createInterface({ input: process.stdin, output: process.stdout }) : undefined;
for (const secret of SECRETS) {
  let value = process.env[secret.name];
  if (!value && existing.has(secret.name)) {
    console.log(`  ${secret.name}: already set (export it to replace it)`);
    continue;
  }
  if (!value && prompt) value = (await prompt.question(`  ${secret.name} — ${secret.why}${secret.generate ? " (empty: generate)" : ""}: `)).trim();
  if (!value && secret.generate) {
    value = typeof secret.generate === "function" ? secret.generate() : randomBytes(32).toString("base64url");
    // You call /admin/v1 with it, so it is shown once; a generated URL-signing key nobody needs to see.
    if (secret.show) console.log(`  ${secret.name} generated — keep it: ${value}`);
  }
  if (!value) {
    console.error(`  ${secret.name} is required: export it or run this in a terminal`);
    process.exit(1);
  }
  wrangler(["secret", "put", secret.name], { input: value });
  console.log(`  ${secret.name}: set`);
}
prompt?.close();
console.log("\nReady: npm run deploy");
