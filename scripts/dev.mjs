// `npm start`: local API on http://127.0.0.1:8787 (PORT overrides) with local D1, R2 and
// Durable Objects, after creating .dev.vars and applying the D1 migrations.
import { spawnSync } from "node:child_process";
import { d1Bindings } from "./d1-bindings.mjs";
import { ensureDevVars } from "./dev-vars.mjs";

const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "true" };
const wrangler = (args) => spawnSync("wrangler", args, { stdio: "inherit", env, shell: false });

ensureDevVars();
// The directory and every history shard, each with its own migrations folder (wrangler.toml). One
// line per database: wrangler's own tables (printed again after each migration) only when it fails.
for (const binding of d1Bindings()) {
  const migrate = spawnSync("wrangler", ["d1", "migrations", "apply", binding, "--local"], { env, encoding: "utf8" });
  if (migrate.status !== 0) {
    process.stderr.write(migrate.stdout + migrate.stderr);
    process.exit(migrate.status ?? 1);
  }
  const applied = new Set(migrate.stdout.match(/\d{4}_[\w-]+\.sql(?=\s*│\s*✅)/g) ?? []);
  const names = [...applied];
  console.log(`D1 ${binding}: ${names.length ? `applied ${names.length} migration(s), ${names[0]} … ${names.at(-1)}` : "migrations up to date"}`);
}

const port = process.env.PORT || "8787";
// --test-scheduled: `GET /__scheduled` runs the hourly housekeeping (retention sweep included) at once.
const dev = wrangler(["dev", "--test-scheduled", "--ip", "127.0.0.1", "--port", port, ...process.argv.slice(2)]);
process.exit(dev.status ?? 0);
