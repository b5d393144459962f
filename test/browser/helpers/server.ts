// A real `wrangler dev` (local mode, throwaway state) for the browser tests, and a tiny page server
// that gives a test page an origin of its own.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const WRANGLER = path.join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const STARTUP_MS = 180_000; // wrangler dev builds the Worker and boots workerd: slow on a busy 2-core box

export const TEST_VARS = {
  JWT_SECRET: "browser-test-jwt-secret",
  ADMIN_TOKEN: "browser-test-admin-token",
  FILE_URL_SECRET: "browser-test-file-url-secret",
  DEV_LOGIN: "true",
  LOG_LEVEL: "silent",
  CORS_ORIGINS: "*",
  // Test-only switches (e.g. `X-Fault-D1`, src/platform/d1-faults.ts), so the SDK's retries meet real 503s.
  FAULT_INJECTION: "true",
};

export interface ApiServer {
  base: string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}

/** Runs wrangler (with the Node that runs vitest: Node 22) and collects its output for error messages. */
function wrangler(args: string[], opts: { detached?: boolean } = {}) {
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    // No telemetry, no fetch of Request.cf data from Cloudflare: tests reach only this machine.
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: opts.detached, // its own process group, so stop() also ends workerd
  });
  let output = "";
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  return { child, output: () => output };
}

/** Every D1 database in wrangler.toml that has migrations, by binding name. */
async function migratedDatabases(): Promise<string[]> {
  const { experimental_readRawConfig } = await import("wrangler");
  const { rawConfig } = experimental_readRawConfig({ config: path.join(ROOT, "wrangler.toml") });
  const databases: { binding: string; migrations_dir?: string }[] = rawConfig.d1_databases ?? [];
  return databases.filter((db) => db.migrations_dir).map((db) => db.binding);
}

/** Starts the API on a free port with fresh local state; resolves once it answers. */
export async function startApi(vars: Record<string, string> = TEST_VARS): Promise<ApiServer> {
  const state = await mkdtemp(path.join(tmpdir(), "chat-browser-"));
  for (const db of await migratedDatabases()) {
    const { child, output } = wrangler(["d1", "migrations", "apply", db, "--local", "--persist-to", state]);
    const [code] = await once(child, "exit");
    if (code !== 0) {
      await rm(state, { recursive: true, force: true });
      throw new Error(`migrations for ${db} failed (${code}):\n${output()}`);
    }
  }
  // --env-file replaces .dev.vars and .env, so a developer's local settings never leak into the tests.
  const envFile = path.join(state, "test.env");
  await writeFile(envFile, Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join(""));
  // A free port can be taken by someone else before wrangler binds it: wrangler then exits, try anew.
  for (let attempt = 1; ; attempt++) {
    const [port, inspector] = [await freePort(), await freePort()];
    const { child, output } = wrangler(
      ["dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector),
       "--persist-to", state, "--env-file", envFile, "--show-interactive-dev-session=false"],
      { detached: true },
    );
    // Its own process group outlives us unless killed: also on an exit that skips the teardown.
    const killOnExit = () => killGroup(child, "SIGKILL");
    process.once("exit", killOnExit);
    child.once("exit", () => process.off("exit", killOnExit));
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitUntilAnswering(base, child, output);
      return { base, stop: () => stopGroup(child).finally(() => rm(state, { recursive: true, force: true })) };
    } catch (err) {
      await stopGroup(child);
      if (attempt < 3 && /already in use/i.test(output())) continue;
      await rm(state, { recursive: true, force: true });
      throw err;
    }
  }
}

async function waitUntilAnswering(base: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output()}`);
    try {
      if ((await fetch(`${base}/openapi.json`, { signal: AbortSignal.timeout(5000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250)); // poll interval, not a wait for a condition
  }
  throw new Error(`wrangler dev did not answer within ${STARTUP_MS / 1000} s:\n${output()}`);
}

function killGroup(child: ChildProcess, sig: NodeJS.Signals) {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, sig);
  } catch {
    // the group is gone
  }
}

/** SIGTERM to the whole process group (wrangler and its workerd), SIGKILL if it lingers. */
async function stopGroup(child: ChildProcess) {
  const signal = (sig: NodeJS.Signals) => killGroup(child, sig);
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, "exit");
    signal("SIGTERM");
    const timer = setTimeout(() => signal("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
  signal("SIGKILL"); // anything in the group that outlived wrangler itself (workerd)
}

/** Serves one HTML page at / (any query) on its own port: a second origin for cross-origin tests. */
export async function startPageServer(html: string): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (new URL(req.url ?? "/", "http://page").pathname !== "/") return void res.writeHead(404).end();
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(html);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
