// `npm run deploy:setup` against a recording stand-in for wrangler's account commands: it creates
// what is missing, writes the D1 ids into the config, migrates remotely, sets secrets, and a second
// run changes nothing.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const work = mkdtempSync(path.join(tmpdir(), "deploy-setup-test-"));
const config = path.join(work, "wrangler.toml");
const state = path.join(work, "account.json");
afterAll(() => rmSync(work, { recursive: true, force: true }));
copyFileSync(path.join(ROOT, "wrangler.toml"), config);

function setup(extraEnv: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, ["scripts/deploy-setup.mjs"], {
    cwd: ROOT,
    encoding: "utf8",
    env: {
      ...process.env,
      WRANGLER: `${process.execPath} ${path.join(ROOT, "test/fixtures/fake-wrangler.mjs")}`,
      WRANGLER_CONFIG: config,
      FAKE_WRANGLER_STATE: state,
      ...extraEnv,
    },
  });
  const calls = readFileSync(`${state}.log`, "utf8").trim().split("\n");
  rmSync(`${state}.log`);
  return { ...run, calls };
}
const account = () => JSON.parse(readFileSync(state, "utf8"));
const databaseIds = () => [...readFileSync(config, "utf8").matchAll(/^database_id = "([^"]+)"/gm)].map((m) => m[1]);

describe("npm run deploy:setup", () => {
  it("creates every resource wrangler.toml names, writes the ids, migrates and sets secrets; a second run changes nothing", () => {
    const first = setup({ JWT_SECRET: "from-the-environment" });
    expect(first.status, first.stderr).toBe(0);
    const created = account();
    expect(created.databases.map((d: { name: string }) => d.name)).toEqual(["edge-chat", "edge-chat-history-0", "edge-chat-history-1"]);
    expect(created.buckets).toEqual(["edge-chat-attachments"]);
    expect(created.queues).toEqual(["edge-chat-jobs", "edge-chat-jobs-dead", "edge-chat-directory", "edge-chat-webhooks", "edge-chat-push"]);
    expect(databaseIds()).toEqual(created.databases.map((d: { uuid: string }) => d.uuid));
    expect(first.calls.filter((c) => c.startsWith("d1 migrations apply"))).toEqual(["d1 migrations apply DB --remote", "d1 migrations apply HISTORY_0 --remote", "d1 migrations apply HISTORY_1 --remote"]);
    expect(created.secrets.JWT_SECRET).toBe("from-the-environment");
    // Ours alone, so generated when not given: long random values, different from each other.
    expect(created.secrets.ADMIN_TOKEN).toMatch(/^[\w-]{43}$/);
    expect(created.secrets.FILE_URL_SECRET).toMatch(/^[\w-]{43}$/);
    expect(created.secrets.ADMIN_TOKEN).not.toBe(created.secrets.FILE_URL_SECRET);
    // A P-256 private scalar: the Worker derives the VAPID public key from it.
    expect(created.secrets.VAPID_PRIVATE_KEY).toMatch(/^[\w-]{43}$/);
    expect(first.stdout).not.toContain(created.secrets.VAPID_PRIVATE_KEY);
    expect(first.stdout).toContain(`ADMIN_TOKEN generated — keep it: ${created.secrets.ADMIN_TOKEN}`);
    expect(first.stdout).not.toContain(created.secrets.FILE_URL_SECRET);

    const again = setup();
    expect(again.status, again.stderr).toBe(0);
    expect(again.calls.filter((c) => /create|secret put/.test(c))).toEqual([]);
    expect(account()).toEqual(created);
    expect(databaseIds()).toEqual(created.databases.map((d: { uuid: string }) => d.uuid));
    expect(again.stdout).toContain("JWT_SECRET: already set");
  });

  it("stops with a clear message when a required secret is neither exported nor typed", () => {
    rmSync(state, { force: true });
    const run = setup();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("JWT_SECRET is required");
  });
});
