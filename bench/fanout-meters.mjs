// What each path of bench/fanout.mjs costs its server, credited to the path whose turn it is:
// workerd's CPU (utime + stime from /proc, as the kernel counts it, every thread included) and the
// D1 transactions the project's room counts. The bench client is another process: none of its own
// CPU is in these numbers.
import { readdirSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";

const TICKS_PER_S = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/** /proc/<pid>/stat as { comm, ppid, cpuMs }, undefined once the process is gone. */
function stat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so the fields start after the last ")".
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" "); // fields[0] is field 3 (state)
  return { comm: text.slice(text.indexOf("(") + 1, close), ppid: Number(fields[1]), cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S };
}

/** The workerd processes among the descendants of `root` (wrangler runs its workerd as children, or deeper). */
export function workerdPids(root) {
  const children = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(name);
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), { pid: Number(name), comm: s.comm }]);
  }
  const found = [];
  for (const queue = [root]; queue.length; ) {
    for (const child of children.get(queue.pop()) ?? []) {
      if (child.comm === "workerd") found.push(child.pid);
      queue.push(child.pid);
    }
  }
  return found;
}

/**
 * CPU ms of the workerd processes under wrangler `root`, so far. The pids are looked up again when
 * one is gone (a reload may start another workerd); the CPU of one that is gone is lost.
 */
export function workerdCpu(root) {
  let pids = [];
  return () => {
    let stats = pids.map(stat);
    if (!pids.length || stats.includes(undefined)) {
      pids = workerdPids(root);
      stats = pids.map(stat);
      if (!pids.length) throw new Error(`no workerd process under wrangler pid ${root}`);
    }
    return stats.reduce((sum, s) => sum + (s?.cpuMs ?? 0), 0);
  };
}

/**
 * Credits what a counter gained to the key whose turn it was: `mark(key)` ends the current turn and
 * starts `key`'s (null: nobody's). `read` may be async. A counter that went back (its process or
 * room restarted) credits what it counted since, and is counted in `restarts`.
 */
export function ledger(read) {
  const totals = new Map();
  let current = null;
  let last;
  const meter = {
    restarts: 0,
    async mark(key) {
      const now = await read();
      if (current !== null && last !== undefined) {
        if (now < last) meter.restarts++;
        totals.set(current, (totals.get(current) ?? 0) + (now < last ? now : now - last));
      }
      current = key;
      last = now;
    },
    /** What `key` was credited since its last take. */
    take(key) {
      const total = totals.get(key) ?? 0;
      totals.delete(key);
      return total;
    },
  };
  return meter;
}

/**
 * The project room's `d1_transactions` (GET /admin/v1/rooms/{id}), read once nothing is left to flush
 * (`unflushed` 0, polled every 20 ms for up to 30 s) so a turn's flushes are all in its count.
 */
export function roomTransactions(server, channelId) {
  return async () => {
    for (const began = performance.now(); ; ) {
      const res = await fetch(`${server.base}/admin/v1/rooms/${channelId}`, { headers: { Authorization: `Bearer ${server.adminToken}` } });
      if (!res.ok) throw new Error(`GET /admin/v1/rooms/${channelId}: ${res.status} ${await res.text()}`);
      const stats = await res.json();
      if (stats.unflushed === 0) return stats.d1_transactions;
      if (performance.now() - began > 30_000) throw new Error(`room ${channelId}: ${stats.unflushed} message(s) still unflushed after 30 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
}
