// The baselines' servers for bench/fanout.mjs: the minimal Worker and workers-chat-demo (as it is, and
// "durable": its storage.put awaited before the broadcast), each a `wrangler dev` on its own
// temporary state, and the cleanup of everything the bench started. Each gives its wrangler's pid
// (whose workerd's CPU bench/fanout-meters.mjs reads).
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const WRANGLER = path.resolve("node_modules/wrangler/bin/wrangler.js");
const MINIMAL = path.resolve("bench/fanout-minimal");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Servers are stopped first, then (a moment later: a stopping workerd still writes, and would
// recreate a state directory removed too early) their temp dirs removed.
export const kills = [];
export const removals = [];
export function cleanup() {
  for (const list of [kills, removals]) {
    if (list === removals && removals.length) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    while (list.length) {
      try {
        list.pop()();
      } catch {}
    }
  }
}

function wrangler(args) {
  const run = spawnSync(process.execPath, [WRANGLER, ...args], { env, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`wrangler ${args.join(" ")}:\n${run.stdout}\n${run.stderr}`);
}

/**
 * `wrangler dev` in its own process group (so wrangler and its workerd die together): its pid, and
 * `ready`, once `url` answers `ok(res)`. Its own inspector port: wranglers starting together otherwise
 * pick the same.
 */
function devServer(name, port, args, url, ok, dir) {
  const out = openSync(path.join(dir, "wrangler.log"), "w");
  const ports = ["--port", String(port), "--inspector-port", String(port + 10)];
  const child = spawn(process.execPath, [WRANGLER, "dev", "--ip", "127.0.0.1", ...ports, ...args], { env, stdio: ["ignore", out, out], detached: true });
  kills.push(() => process.kill(-child.pid, "SIGTERM"));
  return { pid: child.pid, ready: started(name, child, url, ok, dir) };
}

async function started(name, child, url, ok, dir) {
  for (let i = 0; ; i++) {
    try {
      if (ok(await fetch(url))) return;
    } catch {}
    if (i > 180 || child.exitCode !== null) {
      const text = readFileSync(path.join(dir, "wrangler.log"), "utf8");
      throw new Error(`${name} did not start (exit ${child.exitCode}):\n${text.slice(0, 3000)}\n…\n${text.slice(-1000)}`);
    }
    await sleep(500);
  }
}

export async function startMinimal(port) {
  const dir = mkdtempSync(path.join(tmpdir(), "fanout-minimal-"));
  removals.push(() => rmSync(dir, { recursive: true, force: true }), () => rmSync(path.join(MINIMAL, ".wrangler"), { recursive: true, force: true }));
  const config = path.join(MINIMAL, "wrangler.toml");
  for (const db of ["fanout-minimal", "fanout-minimal-directory"]) wrangler(["d1", "migrations", "apply", db, "--local", "--persist-to", dir, "--config", config]);
  const base = `http://127.0.0.1:${port}`;
  return { base, ...devServer("minimal Worker", port, ["--config", config, "--persist-to", dir], `${base}/`, (r) => r.status === 404, dir) };
}

// The demo broadcasts a message, then stores it: a subscriber may see a message that a crash then
// loses. The durable copy stores it first (awaited), as the project's room does before its broadcast.
const BROADCAST_THEN_PUT = `this.broadcast(dataStr);

      // Save message.
      let key = new Date(data.timestamp).toISOString();
      await this.storage.put(key, dataStr);`;
const PUT_THEN_BROADCAST = `// Save message. (fanout bench, durable demo: stored before it is broadcast)
      let key = new Date(data.timestamp).toISOString();
      await this.storage.put(key, dataStr);
      this.broadcast(dataStr);`;

/**
 * A temporary copy of the demo (from a checkout, or `git archive` of a git directory), limiter budget
 * patched; `durable`: its put awaited before its broadcast.
 */
export async function startDemo(source, port, { durable = false } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "fanout-demo-"));
  removals.push(() => rmSync(dir, { recursive: true, force: true }));
  const app = path.join(dir, "app");
  if (existsSync(path.join(source, "wrangler.toml"))) {
    cpSync(source, app, { recursive: true, filter: (p) => !/[/\\](node_modules|\.git|\.wrangler)$/.test(p) });
  } else {
    const archive = spawnSync("git", ["-C", source, "archive", "--prefix=app/", "HEAD"], { maxBuffer: 64 << 20 });
    if (archive.status !== 0) throw new Error(`${source}: neither a checkout (no wrangler.toml) nor a git directory: ${archive.stderr}`);
    const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`untar failed: ${untar.stderr}`);
  }
  const chat = path.join(app, "src/chat.mjs");
  const code = readFileSync(chat, "utf8");
  if (!code.includes("this.nextAllowedTime += 5;")) throw new Error("demo: RateLimiter not as expected (this.nextAllowedTime += 5;), cannot lift its budget");
  let patched = code.replace("this.nextAllowedTime += 5;", "this.nextAllowedTime += 0; // fanout bench: no budget, the call stays");
  if (durable) {
    if (!patched.includes(BROADCAST_THEN_PUT)) throw new Error("demo: message not broadcast then stored as expected, cannot make it durable");
    patched = patched.replace(BROADCAST_THEN_PUT, PUT_THEN_BROADCAST);
  }
  writeFileSync(chat, patched);
  const base = `http://127.0.0.1:${port}`;
  const args = ["--config", path.join(app, "wrangler.toml"), "--persist-to", path.join(dir, "state")];
  return { base, ...devServer(durable ? "durable demo" : "workers-chat-demo", port, args, `${base}/`, (r) => r.ok, dir) };
}
