// `npm run deploy:setup` against a recording stand-in for wrangler's account commands: it creates
// what is missing, writes the D1 ids into the config, migrates remotely, sets secrets, and a second
// run changes nothing. Secrets: at least 32 bytes, typed without echo, a generated ADMIN_TOKEN never
// printed where it is not a terminal (a real pseudo-terminal through util-linux `script`).
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const work = mkdtempSync(path.join(tmpdir(), "deploy-setup-test-"));
const config = path.join(work, "wrangler.toml");
const state = path.join(work, "account.json");
const tokenFile = path.join(work, ".admin-token");
const fakeWrangler = { WRANGLER: `${process.execPath} ${path.join(ROOT, "test/fixtures/fake-wrangler.mjs")}`, WRANGLER_CONFIG: config, FAKE_WRANGLER_STATE: state };
/** Long enough (32 bytes and more), and recognisable in any output. */
const JWT_SECRET = "jwt-secret-from-the-environment-0123456789";
afterAll(() => rmSync(work, { recursive: true, force: true }));
copyFileSync(path.join(ROOT, "wrangler.toml"), config);

function setup(extraEnv: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, ["scripts/deploy-setup.mjs"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ...fakeWrangler, ...extraEnv },
  });
  return { ...run, calls: wranglerCalls() };
}

/** The wrangler commands run since the last call (none when wrangler was never run). */
function wranglerCalls(): string[] {
  if (!existsSync(`${state}.log`)) return [];
  const calls = readFileSync(`${state}.log`, "utf8").trim().split("\n");
  rmSync(`${state}.log`);
  return calls;
}
const account = () => JSON.parse(readFileSync(state, "utf8"));
const databaseIds = () => [...readFileSync(config, "utf8").matchAll(/^database_id = "([^"]+)"/gm)].map((m) => m[1]);

describe("npm run deploy:setup", () => {
  it("creates every resource wrangler.toml names, writes the ids, migrates and sets secrets; a second run changes nothing", () => {
    rmSync(tokenFile, { force: true });
    const first = setup({ JWT_SECRET });
    expect(first.status, first.stderr).toBe(0);
    const created = account();
    expect(created.databases.map((d: { name: string }) => d.name)).toEqual(["edge-chat", "edge-chat-history-0", "edge-chat-history-1"]);
    expect(created.buckets).toEqual(["edge-chat-attachments"]);
    expect(created.queues).toEqual(["edge-chat-jobs", "edge-chat-jobs-dead", "edge-chat-directory", "edge-chat-webhooks", "edge-chat-push"]);
    expect(databaseIds()).toEqual(created.databases.map((d: { uuid: string }) => d.uuid));
    expect(first.calls.filter((c) => c.startsWith("d1 migrations apply"))).toEqual(["d1 migrations apply DB --remote", "d1 migrations apply HISTORY_0 --remote", "d1 migrations apply HISTORY_1 --remote"]);
    expect(created.secrets.JWT_SECRET).toBe(JWT_SECRET);
    // Ours alone, so generated when not given: long random values, different from each other.
    expect(created.secrets.ADMIN_TOKEN).toMatch(/^[\w-]{43}$/);
    expect(created.secrets.FILE_URL_SECRET).toMatch(/^[\w-]{43}$/);
    expect(created.secrets.ADMIN_TOKEN).not.toBe(created.secrets.FILE_URL_SECRET);
    // Output here is a pipe (as in CI logs): the generated ADMIN_TOKEN goes to a file only its owner reads.
    expect(first.stdout + first.stderr).not.toContain(created.secrets.ADMIN_TOKEN);
    expect(first.stdout).toContain(`ADMIN_TOKEN generated — written to ${tokenFile} (mode 600`);
    expect(readFileSync(tokenFile, "utf8")).toBe(`${created.secrets.ADMIN_TOKEN}\n`);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(first.stdout + first.stderr).not.toContain(created.secrets.FILE_URL_SECRET);
    expect(first.stdout + first.stderr).not.toContain(JWT_SECRET);
    // A P-256 private scalar: the Worker derives the VAPID public key from it.
    expect(created.secrets.VAPID_PRIVATE_KEY).toMatch(/^[\w-]{43}$/);
    expect(first.stdout + first.stderr).not.toContain(created.secrets.VAPID_PRIVATE_KEY);

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

  it("refuses an exported secret shorter than 32 bytes before creating anything, without printing it", () => {
    for (const [name, value] of [["JWT_SECRET", "short-jwt-secret"], ["ADMIN_TOKEN", "a".repeat(31)], ["FILE_URL_SECRET", "0123456789abcdef"]]) {
      rmSync(state, { force: true });
      const run = setup({ JWT_SECRET, [name!]: value! });
      expect(run.status, name).toBe(1);
      expect(run.stderr).toContain(`${name} must be at least 32 bytes`);
      expect(run.stdout + run.stderr).not.toContain(value);
      expect(run.calls).toEqual([]); // nothing created, nothing set
    }
  });

  const hasScript = spawnSync("script", ["--version"]).status === 0;
  it.skipIf(!hasScript)("in a terminal: asks without echo, asks again for a short secret, shows a generated ADMIN_TOKEN there", async () => {
    rmSync(state, { force: true });
    rmSync(tokenFile, { force: true });
    const typed = { short: "typed-but-too-short", jwt: "typed-jwt-secret-long-enough-0123456789", file: "typed-file-url-secret-long-enough-abcdefgh" };
    // What a person types at each prompt, in order: a short JWT_SECRET (refused), a good one, Enter
    // for ADMIN_TOKEN (generate), a FILE_URL_SECRET.
    const answers = [typed.short, typed.jwt, "", typed.file];
    const child = spawn("script", ["-qfec", `${JSON.stringify(process.execPath)} scripts/deploy-setup.mjs`, "/dev/null"], {
      cwd: ROOT,
      env: { ...process.env, ...fakeWrangler, JWT_SECRET: "", ADMIN_TOKEN: "", FILE_URL_SECRET: "" },
    });
    let screen = "";
    let asked = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      screen += chunk.toString();
      // Answer each prompt once it is on screen (the script has switched echo off by then).
      const prompts = screen.split(", at least 32 bytes: ").length - 1;
      while (asked < prompts) child.stdin.write(`${answers[asked++] ?? ""}\r`);
    });
    // A script that never asks what it should would wait forever: end it, and let the checks say why.
    const stuck = setTimeout(() => child.kill(), 30_000);
    const [code] = await new Promise<[number | null]>((resolve) => child.on("exit", (c) => resolve([c])));
    clearTimeout(stuck);
    child.stdin.end();
    expect(code, screen).toBe(0);
    expect(asked).toBe(5); // the three secrets, VAPID_PRIVATE_KEY, and JWT_SECRET again
    expect(screen).toContain("JWT_SECRET must be at least 32 bytes (that was 19); try again");
    // Nothing typed reached the screen.
    for (const value of Object.values(typed)) expect(screen).not.toContain(value);
    const { secrets } = account();
    expect(secrets).toEqual({ JWT_SECRET: typed.jwt, ADMIN_TOKEN: expect.stringMatching(/^[\w-]{43}$/), FILE_URL_SECRET: typed.file, VAPID_PRIVATE_KEY: expect.stringMatching(/^[\w-]{43}$/) });
    // On a terminal the generated token is shown there, once, and no file is written.
    expect(screen).toContain(`ADMIN_TOKEN generated — keep it: ${secrets.ADMIN_TOKEN}`);
    expect(existsSync(tokenFile)).toBe(false);
    wranglerCalls();
  });
});
