// The SDK as an app developer gets it: `npm pack` in sdk/, the tarball installed into an empty project
// (offline: the package has no dependencies), type-checked there without workers-types, and the
// example bot (examples/bot/) run from it against the real `wrangler dev` of the browser project.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const work = mkdtempSync(path.join(tmpdir(), "sdk-package-test-"));
const app = path.join(work, "app");
const env = { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false", NO_COLOR: "1" };
const base = inject("apiBase");
const run = Math.random().toString(36).slice(2, 7);
let bot: ChildProcess | undefined;
afterAll(() => {
  bot?.kill("SIGINT");
  rmSync(work, { recursive: true, force: true });
});

function sh(cmd: string, args: string[], cwd: string) {
  const out = spawnSync(cmd, args, { cwd, env, encoding: "utf8" });
  if (out.status !== 0) throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}):\n${out.stdout}\n${out.stderr}`);
  return out.stdout;
}

/** A raw API call as the person talking to the bot (no SDK: the test checks what the server holds). */
async function api<T>(token: string, method: string, pathname: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${pathname}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${pathname}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

let tarball = "";
beforeAll(() => {
  // prepack builds sdk/dist (scripts/build-sdk.mjs); --json names the tarball and lists its files.
  const [packed] = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", work], path.join(ROOT, "sdk")));
  tarball = path.join(work, packed.filename);
  cpSync(path.join(ROOT, "examples/bot"), app, { recursive: true });
  sh("npm", ["install", "--offline", tarball], app);
}, 240_000);

describe("@edge-chat/sdk from its tarball", () => {
  it("holds the built module, self-contained types, README and license, and nothing else", () => {
    const files = sh("tar", ["-tzf", tarball], work).trim().split("\n").sort();
    expect(files).toEqual(expect.arrayContaining(["package/LICENSE", "package/README.md", "package/package.json", "package/dist/index.js", "package/dist/index.d.ts"]));
    expect(files.filter((f) => !/^package\/(LICENSE|README\.md|package\.json|dist\/[\w-]+\.(js|d\.ts))$/.test(f))).toEqual([]);
    const installed = path.join(app, "node_modules/@edge-chat/sdk/dist");
    for (const file of readdirSync(installed)) {
      const text = readFileSync(path.join(installed, file), "utf8");
      // Imports only its own files: no hono, no src/, no workers-types, no path of this machine.
      expect([...text.matchAll(/(?:from |import\()["']([^"']+)["']/g)].map((m) => m[1]!).filter((s) => !s.startsWith("./")), file).toEqual([]);
      expect(text, file).not.toContain(ROOT);
    }
  });

  it("type-checks the example bot in a Node project (types: node, no DOM lib, no workers-types)", () => {
    writeFileSync(
      path.join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          target: "es2022",
          lib: ["es2023"],
          strict: true,
          checkJs: true,
          noEmit: true,
          typeRoots: [path.join(ROOT, "node_modules/@types")], // @types/node, as a Node project installs it
          types: ["node"],
        },
        include: ["bot.mjs", "check.ts"],
      }),
    );
    // A wrong field must fail: the types are real, not `any`.
    writeFileSync(
      path.join(app, "check.ts"),
      `import { ChatClient, type Message, type Channel } from "@edge-chat/sdk";
       declare const chat: ChatClient;
       export const body = (m: Message): string => m.body;
       export const list: Promise<Channel[]> = chat.channels();
       export const typed = async () => { const res = await chat.api.v1.users.me.$get(); if (res.ok) return (await res.json()).display_name; };
       // @ts-expect-error no such field on a message
       export const wrong = (m: Message) => m.bodyy;\n`,
    );
    sh(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", app], app);
  });

  it("runs the example bot: it opens a DM with a person and answers each of their messages once", { timeout: 120_000 }, async () => {
    const human = `ann-${run}`;
    const { token } = await api<{ token: string }>("", "POST", "/v1/dev/token", { sub: human, name: "Ann" });
    await api(token, "GET", "/v1/users/me"); // Ann exists once she has signed in

    const botId = `echo-bot-${run}`;
    let output = "";
    const ready = new Promise<void>((resolve, reject) => {
      bot = spawn(process.execPath, ["bot.mjs"], { cwd: app, env: { ...env, CHAT_URL: base, BOT_ID: botId, GREET_USER: human } });
      bot.stdout!.on("data", (d) => (output += d) && output.includes("ready:") && resolve());
      bot.stderr!.on("data", (d) => (output += d));
      bot.on("exit", (code) => reject(new Error(`the bot exited (${code}):\n${output}`)));
    });
    await ready;

    type Page = { messages: { sender_id: string; body: string }[] };
    const [dm] = await api<{ id: string; other_user_id?: string }[]>(token, "GET", "/v1/channels");
    expect(dm?.other_user_id).toBe(botId);
    const conversation = async () => (await api<Page>(token, "GET", `/v1/channels/${dm!.id}/messages`)).messages.map((m) => `${m.sender_id === botId ? "bot" : "ann"}: ${m.body}`).reverse();

    await api(token, "POST", `/v1/channels/${dm!.id}/messages`, { body: "ping" });
    await expect.poll(conversation, { timeout: 30_000 }).toContain("bot: You said: ping");
    await api(token, "POST", `/v1/channels/${dm!.id}/messages`, { body: "pong" });
    await expect.poll(conversation, { timeout: 30_000 }).toContain("bot: You said: pong");
    // Exactly these: the bot never answered its own greeting or its own answers.
    expect(await conversation()).toEqual(["bot: Hi! I repeat what you say.", "ann: ping", "bot: You said: ping", "ann: pong", "bot: You said: pong"]);
  });
});
