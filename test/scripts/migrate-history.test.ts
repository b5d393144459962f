// The documented path for an existing deployment: one database with history in it → directory + shards.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const work = mkdtempSync(path.join(tmpdir(), "migrate-history-test-"));
const state = path.join(work, "state");
const config = path.join(work, "wrangler.toml");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A wrangler.toml like the project's, with absolute paths, and the directory's migrations from `dir`. */
function writeConfig(directoryMigrations: string) {
  const toml = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8")
    .replace(/^main = "src\/index.ts"$/m, `main = "${path.join(ROOT, "src/index.ts")}"`)
    .replace(/^migrations_dir = "drizzle"$/m, `migrations_dir = "${directoryMigrations}"`)
    .replaceAll('migrations_dir = "drizzle/history"', `migrations_dir = "${path.join(ROOT, "drizzle/history")}"`)
    .replace(/^\[build\][\s\S]*?(?=^\[)/m, "")
    .replace(/^\[assets\][\s\S]*?(?=^\[)/m, "");
  writeFileSync(config, toml);
}
function wrangler(...argv: string[]) {
  const run = spawnSync(process.execPath, [path.join(ROOT, "node_modules/wrangler/bin/wrangler.js"), ...argv, "-c", config, "--local", "--persist-to", state], { cwd: ROOT, env, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`wrangler ${argv.join(" ")}:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}
const query = (db: string, sql: string) => JSON.parse(wrangler("d1", "execute", db, "--json", "--command", sql))[0].results;

describe("npm run db:migrate-history", () => {
  it("moves a single database's history into shard 0, keeps unread counts, and is safe to run twice", { timeout: 600_000 }, () => {
    // A deployment as it was before shards: the directory migrations up to 0007, with history in DB.
    const old = path.join(work, "old-migrations");
    cpSync(path.join(ROOT, "drizzle"), old, { recursive: true });
    for (const file of readdirSync(old)) if (/^00(0[8-9]|[1-9]\d)_.*\.sql$/.test(file)) rmSync(path.join(old, file));
    writeConfig(old);
    wrangler("d1", "migrations", "apply", "DB");
    query(
      "DB",
      `INSERT INTO users (id, display_name, created_at, updated_at) VALUES ('ann', 'Ann', 0, 0), ('bob', 'Bob', 0, 0);
       INSERT INTO channels (id, type, name, owner_id, member_count, created_at, last_activity_at, last_position) VALUES ('1000000000000000001', 'group', 'Old', 'ann', 2, 0, 0, 3);
       INSERT INTO channel_members (channel_id, user_id, role, joined_at, read_position) VALUES ('1000000000000000001', 'ann', 'owner', 0, 3), ('1000000000000000001', 'bob', 'member', 0, 0);
       INSERT INTO messages (id, channel_id, position, sender_id, body, created_at, deleted_at) VALUES
         ('1000000000000000011', '1000000000000000001', 1, 'ann', 'one', 1, NULL),
         ('1000000000000000012', '1000000000000000001', 2, 'ann', '', 2, 5),
         ('1000000000000000013', '1000000000000000001', 3, 'ann', 'three', 3, NULL);
       INSERT INTO reactions (message_id, emote_asset_id, user_id, created_at) VALUES ('1000000000000000011', '7', 'bob', 4);
       INSERT INTO idempotency_keys (sender_id, key, message_id, created_at) VALUES ('ann', 'k1', '1000000000000000011', 1);`,
    );

    // The deployment upgrades: the full migrations folder, then the documented script.
    writeConfig(path.join(ROOT, "drizzle"));
    const run = () => spawnSync(process.execPath, ["scripts/migrate-history.mjs", "--local", "--persist-to", state, "--config", config], { cwd: ROOT, env, encoding: "utf8" });
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    expect(query("HISTORY_0", "SELECT id || ':' || body AS m FROM messages UNION ALL SELECT 'reactions ' || count(*) FROM reactions")).toEqual([
      { m: "1000000000000000011:one" },
      { m: "1000000000000000012:" },
      { m: "1000000000000000013:three" },
      { m: "reactions 1" },
    ]);
    expect(query("HISTORY_1", "SELECT count(*) AS n FROM messages")).toEqual([{ n: 0 }]);
    // Gone from DB; the directory keeps what unread counts need (a deleted position, Bob's 2 unread).
    expect(
      query("DB", "SELECT (SELECT count(*) FROM sqlite_master WHERE name LIKE 'legacy_%') AS legacy, (SELECT shard FROM channels) AS shard, (SELECT group_concat(position) FROM deleted_positions) AS deleted"),
    ).toEqual([{ legacy: 0, shard: "HISTORY_0", deleted: "2" }]);

    const again = run();
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain("nothing to move");
    expect(query("HISTORY_0", "SELECT count(*) AS n FROM messages")).toEqual([{ n: 3 }]);
  });
});
