// `npm run db:migrate-history -- [--local [--persist-to DIR]] [--config wrangler.toml]`
//
// Moves a deployment from one database to history shards. It applies every D1 database's migrations
// (the directory's 0008 renames the old history tables to legacy_*, keeping every row), copies the
// legacy rows into shard 0 (HISTORY_0, where every existing channel is placed), checks the counts,
// then drops the legacy tables. Safe to run again: it skips what is already done.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { d1Bindings } from "./d1-bindings.mjs";

const args = process.argv.slice(2);
const config = args.includes("--config") ? args[args.indexOf("--config") + 1] : "wrangler.toml";
const where = args.includes("--local") ? ["--local", ...(args.includes("--persist-to") ? ["--persist-to", args[args.indexOf("--persist-to") + 1]] : [])] : ["--remote"];
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };
const TABLES = ["messages", "reactions", "reaction_counts"];
// Not copied, only dropped: message_attachments (now attachments.message_id) and idempotency_keys
// (keys live in each channel's room now and last 24 h).
const DROPPED = ["idempotency_keys", "message_attachments"];

function wrangler(...argv) {
  const run = spawnSync(process.execPath, [path.resolve("node_modules/wrangler/bin/wrangler.js"), ...argv, "-c", config, ...where], { env, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`wrangler ${argv.join(" ")} failed:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}
const query = (db, sql) => JSON.parse(wrangler("d1", "execute", db, "--json", "--command", sql))[0].results;

for (const db of d1Bindings(config)) wrangler("d1", "migrations", "apply", db);

const legacy = new Set(query("DB", "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'legacy_%'").map((r) => r.name));
const CHUNK = 500;
const literal = (v) => (v === null ? "NULL" : typeof v === "number" ? String(v) : `'${String(v).replaceAll("'", "''")}'`);
const work = mkdtempSync(path.join(tmpdir(), "migrate-history-"));
try {
  const copied = {};
  for (const table of TABLES) {
    if (!legacy.has(`legacy_${table}`)) continue;
    copied[table] = 0;
    // Rows only (the shard has its own schema), read in rowid order and loaded as INSERT OR IGNORE,
    // so a run that stopped half way simply continues.
    for (let after = 0; ; ) {
      const rows = query("DB", `SELECT rowid AS _rowid, * FROM legacy_${table} WHERE rowid > ${after} ORDER BY rowid LIMIT ${CHUNK}`);
      if (rows.length === 0) break;
      after = rows.at(-1)._rowid;
      const columns = Object.keys(rows[0]).filter((c) => c !== "_rowid");
      const sql = rows.map((r) => `INSERT OR IGNORE INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((c) => literal(r[c])).join(", ")});`).join("\n");
      const file = path.join(work, `${table}.sql`);
      writeFileSync(file, sql);
      wrangler("d1", "execute", "HISTORY_0", "--file", file, "--yes");
      copied[table] += rows.length;
    }
  }
  const present = Object.keys(copied);
  if (present.length) {
    // Every legacy row must be in the shard before anything is dropped.
    const counts = query("HISTORY_0", present.map((t) => `SELECT '${t}' AS t, count(*) AS n FROM ${t}`).join(" UNION ALL "));
    for (const { t, n } of counts) if (n < copied[t]) throw new Error(`${t}: ${n} of ${copied[t]} rows in HISTORY_0; legacy tables are kept`);
    console.log(Object.entries(copied).map(([t, n]) => `${t}: ${n} rows copied to HISTORY_0`).join("\n"));
  }
  const drops = [...TABLES, ...DROPPED].reverse().filter((t) => legacy.has(`legacy_${t}`)).map((t) => `DROP TABLE legacy_${t};`);
  if (drops.length) query("DB", drops.join(" "));
  console.log(legacy.size ? "legacy history tables dropped from DB" : "nothing to move: history already lives in the shards");
} finally {
  rmSync(work, { recursive: true, force: true });
}
