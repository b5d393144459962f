// Shared by the benchmarks: a real `wrangler dev` on a throwaway local state directory.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sign } from "hono/jwt";
import { ensureDevVars } from "../scripts/dev-vars.mjs";

const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" };

/** Starts the API (migrations applied, optional seed SQL first); `stop()` kills it and deletes the state. */
export async function startServer({ port, seedSql } = {}) {
  // Before wrangler starts: it reads .dev.vars (secrets, DEV_LOGIN) only at startup.
  const { JWT_SECRET } = ensureDevVars();
  const state = mkdtempSync(path.join(tmpdir(), "chat-bench-"));
  const local = (args) => spawnSync("wrangler", [...args, "--local", "--persist-to", state], { env, stdio: "pipe" });
  const migrate = local(["d1", "migrations", "apply", "DB"]);
  if (migrate.status !== 0) throw new Error(String(migrate.error ?? migrate.stderr));
  if (seedSql) {
    const file = path.join(state, "seed.sql");
    writeFileSync(file, seedSql);
    const seeded = local(["d1", "execute", "DB", "--file", file]);
    if (seeded.status !== 0) throw new Error(String(seeded.error ?? seeded.stderr));
  }
  const server = spawn("wrangler", ["dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state], { env, stdio: "ignore" });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/openapi.json`)).ok) break;
    } catch {}
    if (i > 120) throw new Error("wrangler dev did not start");
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    base,
    token: (sub, name = sub) => sign({ sub, name, exp: Math.floor(Date.now() / 1000) + 3600 }, JWT_SECRET),
    stop() {
      server.kill("SIGTERM");
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** A JSON API call that throws on any 4xx/5xx. */
export async function api(base, token, method, url, body, headers = {}) {
  const res = await fetch(base + url, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return { res, json: text ? JSON.parse(text) : undefined };
}

export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
