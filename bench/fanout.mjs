// Fan-out against baselines, with three (or five) local `wrangler dev` servers running at once:
//   project REST    POST /v1/channels/{id}/messages               (this project)
//   project socket  {"type":"send"} on the sender's channel socket (this project)
//   minimal Worker  bench/fanout-minimal: one insert into each of two D1 databases (in parallel), one
//                   broadcast from a hibernating Durable Object
//   demo            cloudflare/workers-chat-demo, when a copy is given (a checkout or a git directory):
//                   it broadcasts a message, then stores it
//   durable demo    the same demo storing each message (awaited) before broadcasting it, as the project does
//
// Latency: for each subscriber count (FANOUT_SUBS, default 1,50,200), FANOUT_SENDS messages per path
// (default 100, after 3 unmeasured warm-up sends) taking turns between the paths one by one, each
// waiting for its last delivery, so every path sees the same machine load. Measured: from just
// before the send to the frame at the *last* subscriber (the sender's own socket never counts).
// Every room holds the subscribers plus one sender socket.
// Burst: FANOUT_BURST (default 10x500) senders × messages into the largest room, each sender sending
// its next message once the previous one is answered (201, ack, 204, its own echo); the paths take
// turns in two half rounds (A B C D E, then E D C B A) so none always goes first; messages/second from
// the first send to the last delivery.
// Cost, per phase and path (bench/fanout-meters.mjs): the server's workerd CPU per delivered message,
// and for the project the room's D1 transactions per message (group commit: fewer than one when
// messages arrive faster than a flush takes).
// D1 delayed (FANOUT_D1_DELAY, default 80 ms; 0 skips it): a second project server whose every D1 call
// waits that long (BENCH_D1_DELAY_MS, as a distant primary would), 1 subscriber, taking turns with the
// first: socket delivery should not move with D1's latency (D1 is written after the broadcast).
// Every run checks that each subscriber got every message exactly once and each sender's messages in
// send order (exit 1 if not). Targets are reported, never fail the run.
//
//   npm run bench:fanout [-- /path/to/workers-chat-demo]     (or DEMO_PATH=…)
//
// The demos run from temporary copies whose per-IP RateLimiter budget (4 messages, then one per 5 s,
// which a bench sender exhausts at once) is set to zero; its limiter call per message is kept. Each
// demo socket gets its own CF-Connecting-IP, as browsers would have.
import { rmSync } from "node:fs";
import path from "node:path";
import { startServer, percentile } from "./server.mjs";
import { cleanup, kills, removals, startDemo, startMinimal } from "./fanout-servers.mjs";
import { bye, demoRoom, minimalRoom, projectRoom, stats } from "./fanout-rooms.mjs";
import { bodyOf, newRun } from "./fanout-track.mjs";
import { ledger, roomTransactions, workerdCpu } from "./fanout-meters.mjs";
import { report } from "./fanout-report.mjs";

const SUBS = (process.env.FANOUT_SUBS ?? "1,50,200").split(",").map(Number);
const SENDS = Number(process.env.FANOUT_SENDS ?? 100);
const [BURST_SENDERS, BURST_EACH] = (process.env.FANOUT_BURST ?? "10x500").split("x").map(Number);
const D1_DELAY = Number(process.env.FANOUT_D1_DELAY ?? 80);
const PORT = Number(process.env.BENCH_PORT ?? 8794); // project; minimal +1; demo +2; durable demo +3; project with D1 delayed +4
const DEMO = process.argv[2] ?? process.env.DEMO_PATH;
const WARMUP = 3; // sends per path and room before the measured ones: the first start the D1 databases and isolates
const began = performance.now();
const log = (line) => console.log(`· ${((performance.now() - began) / 1000).toFixed(0)}s ${line}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let server; // the project's
let latencyResends; // demo resends before the burst
const clientCpu = process.cpuUsage();

/** A send's answer, or a failed send after 30 s (e.g. its socket closed by a server reload). */
function answered(send) {
  let timer;
  const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("no answer within 30 s")), 30_000)));
  return Promise.race([send, late]).finally(() => clearTimeout(timer));
}

process.on("exit", cleanup);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

// ---- the phases -----------------------------------------------------------------------------

const checks = []; // { phase, path, run }
const costs = []; // { phase, key, label, cpuMs, sent, delivered, d1 }

/**
 * Rooms of `n` subscribers on every server; paths as [{ key, label, room, sender(name), cpu, d1 }]:
 * `cpu` the ledger of the path's server, `d1` (the project's) that of its room.
 */
async function openRooms(n, { minimal, demo, durable }) {
  const label = `n${n}`;
  log(`opening ${n} subscriber${n === 1 ? "" : "s"} per server`);
  const [project, min, dem, dur] = await Promise.all([
    projectRoom(server, label, n),
    minimalRoom(minimal.base, label, n),
    demo && demoRoom(demo.base, label, n),
    durable && demoRoom(durable.base, label, n),
  ]);
  const d1 = ledger(roomTransactions(server, project.channelId));
  return [
    { key: "rest", label: "project REST", room: project, sender: (name) => project.rest(name), cpu: server.cpu, d1 },
    { key: "socket", label: "project socket", room: project, sender: (name) => project.socket(name), cpu: server.cpu, d1 },
    { key: "minimal", label: "minimal Worker", room: min, sender: () => min.sender(), cpu: minimal.cpu },
    ...(dem ? [{ key: "demo", label: "workers-chat-demo", room: dem, sender: (name) => dem.sender(name), cpu: demo.cpu }] : []),
    ...(dur ? [{ key: "durable", label: "durable demo", room: dur, sender: (name) => dur.sender(name), cpu: durable.cpu }] : []),
  ];
}

/**
 * Starts `key`'s turn on `p`'s server (null: ends the current one). The room's D1 count is read
 * first, outside every turn, so its admin request is nobody's CPU.
 */
async function turn(p, key = p.key) {
  if (!p.cpu) return;
  if (p.d1) {
    await p.cpu.mark(null);
    await p.d1.mark(key);
  }
  await p.cpu.mark(key);
}

/** What `runs` of path `p` cost since its last take. */
function cost(phase, p, runs) {
  if (!p.cpu) return;
  const sum = (f) => runs.reduce((total, run) => total + f(run), 0);
  costs.push({ phase, key: p.key, label: p.label, cpuMs: p.cpu?.take(p.key), d1: p.d1?.take(p.key), sent: sum((r) => r.sentCount()), delivered: sum((r) => r.deliveries()) });
}

/** `settle()`, when given, is awaited before every turn (outside it). */
async function latency(n, paths, phase = `${n} subs`, settle) {
  // One sender each; the REST sender has no socket, the socket sender's one is in the same room.
  for (const p of paths) {
    p.latencySender = await p.sender(`${p.key}-l${n}`);
    p.run = newRun(n, 1, WARMUP + SENDS);
    p.samples = [];
    p.answers = [];
  }
  log(`latency, ${phase}: ${WARMUP} + ${SENDS} sends per path, taking turns`);
  for (let i = 0; i < WARMUP + SENDS; i++) {
    for (const p of paths) {
      await settle?.();
      await turn(p);
      const body = bodyOf(p.run.id, 0, i);
      const t0 = performance.now();
      const delivered = p.run.delivered(0, i, 20_000);
      try {
        await answered(p.latencySender.send(body, `${p.run.id}.0.${i}`));
        if (i >= WARMUP) p.answers.push(performance.now() - t0);
        p.run.sent(0, i);
        const at = await delivered;
        if (i >= WARMUP && !Number.isNaN(at)) p.samples.push(at - t0);
      } catch (err) {
        p.run.failed(0, i, err);
      }
    }
  }
  await sleep(500); // late duplicates
  for (const p of paths) await turn(p, null);
  for (const p of paths) {
    p.latencySender.close();
    checks.push({ phase, path: p.label, run: p.run });
    cost(phase, p, [p.run]);
    p.samples.sort((a, b) => a - b);
    p.answers.sort((a, b) => a - b);
  }
  return paths.map((p) => ({ key: p.key, label: p.label, p50: percentile(p.samples, 50), p90: percentile(p.samples, 90), p99: percentile(p.samples, 99), count: p.samples.length, answer50: percentile(p.answers, 50) }));
}

async function burst(paths) {
  latencyResends = stats.demoRetries;
  const result = Object.fromEntries(paths.map((p) => [p.key, { label: p.label, messages: 0, ms: 0 }]));
  for (const p of paths) p.senders = await Promise.all(Array.from({ length: BURST_SENDERS }, (_, s) => p.sender(`${p.key}-b${s}`)));
  for (const p of paths) p.burstRuns = [];
  const halves = [Math.floor(BURST_EACH / 2), BURST_EACH - Math.floor(BURST_EACH / 2)];
  for (const [round, per] of halves.entries()) {
    for (const p of round === 0 ? paths : [...paths].reverse()) {
      if (per === 0) continue;
      log(`burst ${round + 1}/2 ${p.label}: ${BURST_SENDERS} × ${per} to ${p.room.subs.length} subscribers`);
      await turn(p);
      const run = newRun(p.room.subs.length, BURST_SENDERS, per);
      const start = (run.startedAt = performance.now());
      await Promise.all(p.senders.map(async (sender, s) => {
        for (let i = 0; i < per; i++) {
          try {
            await answered(sender.send(bodyOf(run.id, s, i), `${run.id}.${s}.${i}`));
            run.sent(s, i);
          } catch (err) {
            run.failed(s, i, err);
          }
        }
      }));
      await run.all(30_000);
      result[p.key].messages += run.total;
      result[p.key].ms += run.lastAt - start;
      await sleep(500);
      await turn(p, null); // the room's D1 count waits for its last flush
      checks.push({ phase: `burst ${round + 1}`, path: p.label, run });
      p.burstRuns.push(run);
    }
  }
  for (const p of paths) {
    p.senders.forEach((s) => s.close());
    cost("burst", p, p.burstRuns);
  }
  return result;
}

/**
 * The project again, its every D1 call delayed by D1_DELAY ms, taking turns with the undelayed one
 * (fresh rooms of 1 subscriber on both): socket and REST, send → delivery and send → answer. Each
 * turn starts once both rooms have flushed everything: the undelayed socket's flush, right after its
 * ack, would otherwise run during the next turn, the delayed socket's (whose own flush starts 80 ms
 * later, during a REST turn), and the comparison would measure that.
 */
async function delayedD1() {
  log(`starting the project again with BENCH_D1_DELAY_MS=${D1_DELAY} (:${PORT + 4})`);
  const slow = await startProject(PORT + 4, ["--var", `BENCH_D1_DELAY_MS:${D1_DELAY}`, "--inspector-port", String(PORT + 14)]);
  const [fast, delayed] = await Promise.all([projectRoom(server, "d1", 1), projectRoom(slow, "d1", 1)]);
  const late = ` D1 +${D1_DELAY} ms`;
  const paths = [
    { key: "socket", label: "project socket", room: fast, sender: (name) => fast.socket(name) },
    { key: "socket-d1", label: `project socket,${late}`, room: delayed, sender: (name) => delayed.socket(name) },
    { key: "rest", label: "project REST", room: fast, sender: (name) => fast.rest(name) },
    { key: "rest-d1", label: `project REST,${late}`, room: delayed, sender: (name) => delayed.rest(name) },
  ];
  const flushed = [roomTransactions(server, fast.channelId), roomTransactions(slow, delayed.channelId)];
  const rows = await latency(1, paths, `1 sub,${late}`, () => Promise.all(flushed.map((read) => read())));
  for (const room of [fast, delayed]) room.subs.forEach(bye);
  return { delay: D1_DELAY, rows };
}

// ---- main -----------------------------------------------------------------------------------

/** A project server on a fresh state, stopped (and its state removed) at exit. */
async function startProject(port, args) {
  const s = await startServer({ port, args });
  kills.push(() => s.stop());
  removals.push(() => rmSync(s.state, { recursive: true, force: true })); // again, once its workerd is gone
  return s;
}

let failures = 1;
let starting;
try {
  log(`starting servers (project :${PORT}, minimal :${PORT + 1}${DEMO ? `, demo :${PORT + 2}, durable demo :${PORT + 3}` : ""})`);
  const minimal = await startMinimal(PORT + 1);
  const demo = DEMO ? await startDemo(path.resolve(DEMO), PORT + 2) : undefined;
  const durable = DEMO ? await startDemo(path.resolve(DEMO), PORT + 3, { durable: true }) : undefined;
  starting = startProject(PORT).then((s) => (server = s));
  await Promise.all([minimal.ready, demo?.ready, durable?.ready, starting]);
  for (const s of [server, minimal, demo, durable]) if (s) s.cpu = ledger(workerdCpu(s.pid));
  const tables = new Map();
  let bursts;
  const largest = Math.max(...SUBS);
  for (const n of SUBS) {
    const paths = await openRooms(n, { minimal, demo, durable });
    tables.set(n, await latency(n, paths));
    if (n === largest && BURST_SENDERS > 0 && BURST_EACH > 0) bursts = await burst(paths);
    for (const room of new Set(paths.map((p) => p.room))) room.subs.forEach(bye);
  }
  const delayed = D1_DELAY > 0 ? await delayedD1() : undefined;
  const { user, system } = process.cpuUsage(clientCpu);
  const restarts = [server, minimal, demo, durable].reduce((n, s) => n + (s?.cpu.restarts ?? 0), 0);
  if (restarts) console.log(`! ${restarts} workerd CPU counter(s) went back during the run (a workerd restarted): its CPU before is not counted`);
  failures = report({
    config: { SENDS, SUBS, BURST_SENDERS, BURST_EACH },
    tables,
    bursts,
    costs,
    delayed,
    checks,
    latencyResends,
    clientCpuMs: (user + system) / 1000,
    demoNote: DEMO ? "" : "\n(demos skipped: pass its path, `npm run bench:fanout -- /path/to/workers-chat-demo`, or DEMO_PATH)",
  });
  console.log(`\n${failures ? "FAILED: messages lost, duplicated, reordered or refused (see above)" : "All deliveries complete"}; ${((performance.now() - began) / 1000).toFixed(0)} s`);
} catch (err) {
  console.error(err);
  await starting?.catch(() => {}); // a project server still starting is stopped as well
} finally {
  cleanup();
  process.exit(failures ? 1 : 0);
}
