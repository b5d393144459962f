// Shared by the benchmarks: a real `wrangler dev` on a throwaway local state directory, with every D1
// database of wrangler.toml (the directory `DB` and each history shard `HISTORY_n`) migrated.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { sign } from "hono/jwt";
import { d1Bindings } from "../scripts/d1-bindings.mjs";
import { ensureDevVars } from "../scripts/dev-vars.mjs";

const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };
// Wrangler on the Node that runs the bench (npm scripts: the `node` devDependency, 22).
const WRANGLER = path.resolve("node_modules/wrangler/bin/wrangler.js");

/**
 * Local D1 of one state directory, through `wrangler d1 … --local --persist-to`: the same SQLite files
 * `wrangler dev --persist-to` serves.
 */
export function localD1(state) {
  const wrangler = (...args) => {
    const run = spawnSync(process.execPath, [WRANGLER, ...args, "--local", "--persist-to", state], { env, encoding: "utf8", maxBuffer: 64 << 20 });
    if (run.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed:\n${run.error ?? ""}${run.stdout}\n${run.stderr}`);
    return run.stdout;
  };
  let files = 0;
  return {
    state,
    /** Applies the migrations of every D1 binding in wrangler.toml. */
    migrate() {
      for (const db of d1Bindings()) wrangler("d1", "migrations", "apply", db);
    },
    /** Runs SQL from a file (one `wrangler d1 execute --file` per call: keep chunks to a few MB). */
    executeFile(db, sql) {
      const file = path.join(state, `seed-${files++}.sql`);
      writeFileSync(file, sql);
      wrangler("d1", "execute", db, "--file", file, "--yes");
      rmSync(file);
    },
    /** One statement; its result rows and `meta` (size_after, rows_read…). */
    query(db, sql) {
      const [result] = JSON.parse(wrangler("d1", "execute", db, "--json", "--command", sql));
      return result;
    },
  };
}

/**
 * Starts the API on a fresh state: migrations of every D1 binding applied, then the seed SQL of each
 * database (`{ DB: sql, HISTORY_0: [chunk, chunk, …] }`, a string or a list of chunks, each run as
 * one file). `prepare(d1)` runs after seeding, before the server starts (e.g. to measure the
 * databases). `args`: more `wrangler dev` arguments (e.g. `--var NAME:value`). `onLine(text)`: each line the
 * server prints (its logs), else they are dropped. `stop()` kills the server
 * and deletes the state; `pid` is wrangler's, `adminToken` the ADMIN_TOKEN it serves.
 */
export async function startServer({ port, seed = {}, prepare, args = [], onLine } = {}) {
  const state = mkdtempSync(path.join(tmpdir(), "chat-bench-"));
  const d1 = localD1(state);
  const bindings = d1Bindings();
  let server;
  const remove = () => rmSync(state, { recursive: true, force: true });
  const stop = () => {
    // wrangler stops workerd on SIGTERM, which may still write to the state as it goes: remove it
    // now, and again once wrangler has exited (unless this process is exiting first).
    server?.once("exit", remove);
    server?.kill("SIGTERM");
    remove();
  };
  try {
    d1.migrate();
    for (const [db, sql] of Object.entries(seed)) {
      if (!bindings.includes(db)) throw new Error(`seed for ${db}, which wrangler.toml does not bind (${bindings.join(", ")})`);
      for (const chunk of [sql].flat()) d1.executeFile(db, chunk);
    }
    await prepare?.(d1);
    // Before the server starts: on a fresh checkout this creates .dev.vars, which wrangler dev reads once.
    const { JWT_SECRET, ADMIN_TOKEN } = ensureDevVars();
    server = spawn(process.execPath, [WRANGLER, "dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state, ...args], { env, stdio: onLine ? ["ignore", "pipe", "pipe"] : "ignore" });
    if (onLine) for (const stream of [server.stdout, server.stderr]) createInterface({ input: stream }).on("line", onLine);
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
      state,
      pid: server.pid,
      adminToken: ADMIN_TOKEN,
      token: (sub, name = sub) => sign({ sub, name, exp: Math.floor(Date.now() / 1000) + 3600 }, JWT_SECRET),
      stop,
    };
  } catch (err) {
    stop();
    throw err;
  }
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

/** D1 cost of one response, from its `Server-Timing` (directory + shard, summed by the Worker). */
export function d1Cost(res) {
  const t = res.headers.get("Server-Timing") ?? "";
  const n = (re) => Number(t.match(re)?.[1] ?? NaN);
  return {
    queries: n(/d1;dur=[\d.]+;desc="(\d+) queries"/),
    roundTrips: n(/d1-round-trips;desc="(\d+)"/),
    read: n(/d1-rows-read;desc="(\d+)"/),
    written: n(/d1-rows-written;desc="(\d+)"/),
  };
}

export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** The id of seeded message `n`: snowflakes of one length, ascending with `n` (one millisecond apart). */
export const seededId = (n) => (1_200_000_000_000_000_000n + BigInt(n) * 4_194_304n).toString();

/** A string as an SQL literal, for seed files. */
export const sqlString = (s) => `'${s.replaceAll("'", "''")}'`;

/** A seeded pseudo-random generator (mulberry32): the same data on every run of a bench. */
export function seededRandom(seed) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The vocabulary of generated chat bodies. */
export const WORDS = (
  "the a to and of in is it you that for on with this be are we can just have so but not at will what do if " +
  "meeting tomorrow deploy release shipped review branch merged build failing green thanks please check " +
  "customer ticket invoice schedule lunch coffee update doc draft link figma design standup sprint " +
  "okay sure great sounds good looks fine agreed later today morning afternoon weekend friday monday"
).split(" ");
