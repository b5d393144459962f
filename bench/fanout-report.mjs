// The report of bench/fanout.mjs: latency tables, burst rates, what each path costs its server (CPU,
// D1 transactions), the run with D1 delayed, the delivery check and the targets (reported, never failing
// the run). Returns the number of delivery failures.
import { percentile } from "./server.mjs";
import { stats } from "./fanout-rooms.mjs";

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "–");
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : "–");
const f3 = (x) => (Number.isFinite(x) ? x.toPrecision(3) : "–");
const ratio = (a, b) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : "–");
const plural = (n) => `${n} subscriber${n === 1 ? "" : "s"}`;

/**
 * `run`: { config: { SENDS, SUBS, BURST_SENDERS, BURST_EACH, D1_DELAY }, tables (n → rows), bursts,
 * costs ([{ phase, key, label, cpuMs, sent, delivered, d1 }]), delayed ({ delay, rows }), checks,
 * latencyResends, clientCpuMs, demoNote }.
 */
export function report({ config, tables, bursts, costs, delayed, checks, latencyResends, clientCpuMs, demoNote }) {
  const { SENDS, SUBS, BURST_SENDERS, BURST_EACH } = config;
  const rate = (k) => bursts?.[k] && bursts[k].messages / bursts[k].ms;
  console.log(`\nFan-out: send → last subscriber's frame, ms (local wrangler dev, loopback; ${SENDS} sends per path taking turns)${demoNote}\n`);
  for (const [n, rows] of tables) {
    const by = Object.fromEntries(rows.map((r) => [r.key, r]));
    console.log(`${plural(n)}\n| path | p50 | p90 | p99 | samples |\n| --- | --- | --- | --- | --- |`);
    for (const r of rows) console.log(`| ${r.label} | ${f1(r.p50)} | ${f1(r.p90)} | ${f1(r.p99)} | ${r.count} |`);
    const line = (a, b) => ["p50", "p90", "p99"].map((p) => `${p} ${ratio(by[a]?.[p], by[b]?.[p])}`).join(", ");
    console.log(`project REST / minimal: ${line("rest", "minimal")}; project socket / demo: ${line("socket", "demo")}; project socket / durable demo: ${line("socket", "durable")}\n`);
  }
  if (bursts) {
    console.log(`Burst: ${BURST_SENDERS} senders × ${BURST_EACH} messages to ${Math.max(...SUBS)} subscribers (two half rounds, order reversed), first send → last delivery\n| path | messages | seconds | messages/s |\n| --- | --- | --- | --- |`);
    for (const b of Object.values(bursts)) console.log(`| ${b.label} | ${b.messages} | ${f1(b.ms / 1000)} | ${f1(b.messages / (b.ms / 1000))} |`);
    console.log(`project REST / minimal: ${ratio(rate("rest"), rate("minimal"))}; project socket / minimal: ${ratio(rate("socket"), rate("minimal"))}; project socket / durable demo: ${ratio(rate("socket"), rate("durable"))}\n`);
  }
  costTables(costs, clientCpuMs);
  if (delayed) delayTable(delayed, tables);
  const bad = deliveryCheck(checks, latencyResends);

  const sorted = [...stats.restD1].sort((a, b) => a - b);
  console.log(`\nD1 statements per send: project REST p50 ${percentile(sorted, 50)}, max ${sorted.at(-1)} (Server-Timing); project socket: not exposed; minimal: 2 inserts in parallel (two databases); demos: none (one Durable Object storage put, after the broadcast or, durable, before it)`);

  targets({ tables, rate, costs, delayed });
  return bad + stats.lostSockets;
}

/** Per phase and path: the server's CPU per delivered message, the room's D1 transactions per message sent. */
function costTables(costs, clientCpuMs) {
  if (!costs.length) return;
  const phases = [...new Set(costs.map((c) => c.phase))];
  const labels = [...new Map(costs.map((c) => [c.key, c.label]))];
  const cell = (key, phase, value) => {
    const c = costs.find((x) => x.key === key && x.phase === phase);
    return c ? value(c) : "";
  };
  const table = (title, value, keys = labels) => {
    console.log(`${title}\n| path | ${phases.join(" | ")} |\n| --- |${" --- |".repeat(phases.length)}`);
    for (const [key, label] of keys) console.log(`| ${label} | ${phases.map((ph) => cell(key, ph, value)).join(" | ")} |`);
  };
  table(
    "CPU per delivered message, ms: workerd's utime + stime (/proc; each wrangler dev runs two workerd, its proxy and the Worker, both counted) ÷ deliveries (summed over subscribers; warm-up sends included)",
    (c) => f3(c.cpuMs / c.delivered),
  );
  console.log(
    `(the project's REST and socket share one server: each is credited what it used from the start of its turn to the start of the next project turn; the rooms' admin reads are nobody's. ` +
      `The bench client, another process, used ${f1(clientCpuMs / 1000)} s of CPU over the run.)\n`,
  );
  const project = labels.filter(([key]) => costs.some((c) => c.key === key && Number.isFinite(c.d1)));
  table("D1 transactions per message sent (the room's d1_transactions, read once nothing is unflushed, ÷ messages sent)", (c) => f2(c.d1 / c.sent), project);
  console.log("minimal Worker: 2 per message by construction (one insert into each of its two databases, in parallel); demos: none (Durable Object storage)\n");
}

function delayTable({ delay, rows }, tables) {
  console.log(`D1 delayed by ${delay} ms (a second project server, BENCH_D1_DELAY_MS=${delay}, taking turns with the first, each turn once both rooms have flushed), 1 subscriber, ms\n| path | send → delivery p50 | p90 | send → answer p50 | samples |\n| --- | --- | --- | --- | --- |`);
  for (const r of rows) console.log(`| ${r.label} | ${f1(r.p50)} | ${f1(r.p90)} | ${f1(r.answer50)} | ${r.count} |`);
  const main = tables.get(1)?.find((r) => r.key === "socket")?.p50;
  console.log(`(project socket p50 at 1 subscriber in the main run: ${f1(main)} ms; the REST answer waits for its flush, so it shows the delay is in force)\n`);
}

function deliveryCheck(checks, latencyResends) {
  let bad = 0;
  console.log("Delivery check (each subscriber gets each sent message exactly once, each sender's in order)\n| phase | path | sent | deliveries | lost | duplicated | reordered | failed sends |\n| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const { phase, path: p, run } of checks) {
    const lost = run.lost();
    bad += lost + run.dups + run.reordered + run.errors.length;
    console.log(`| ${phase} | ${p} | ${run.sentCount()} | ${run.deliveries()} | ${lost} | ${run.dups} | ${run.reordered} | ${run.errors.length} |`);
    if (run.errors.length) console.log(`  first error: ${run.errors[0]}`);
  }
  if (stats.lostSockets) console.log(`\n${stats.lostSockets} socket(s) closed by a server during the run`);
  if (stats.demoRetries) {
    const inLatency = latencyResends ?? stats.demoRetries;
    console.log(`demos: ${stats.demoRetries} send(s) refused while the sender's previous limiter call was out, sent again (latency runs ${inLatency}, burst ${stats.demoRetries - inLatency})`);
  }
  return bad;
}

function targets({ tables, rate, costs, delayed }) {
  const p50 = (n, key) => tables.get(n)?.find((r) => r.key === key)?.p50;
  const target = (name, value, atLeast, limit, unit = "×", detail = "") => {
    const verdict = !Number.isFinite(value) ? "n/a " : (atLeast ? value >= limit : value <= limit) ? "PASS" : "FAIL";
    console.log(`${verdict}  ${name}: ${Number.isFinite(value) ? `${value.toFixed(2)}${unit}` : "not measured"}${detail} (${atLeast ? "≥" : "≤"} ${limit}${unit})`);
  };
  console.log("\nTargets (issue #24)");
  target("socket p50 at 1 / durable demo", p50(1, "socket") / p50(1, "durable"), false, 1.3);
  target("socket p50 at 200 / durable demo", p50(200, "socket") / p50(200, "durable"), false, 1.1);
  target("REST p50 at 1 / minimal", p50(1, "rest") / p50(1, "minimal"), false, 0.9);
  target("REST p50 at 200 / minimal", p50(200, "rest") / p50(200, "minimal"), false, 1.0);
  target("REST burst / minimal burst", rate("rest") / rate("minimal"), true, 1.2);
  target("socket burst / demo burst", rate("socket") / rate("demo"), true, 0.9);
  const burst = costs.find((c) => c.phase === "burst" && c.key === "socket");
  target("D1 transactions per message, socket burst", burst && burst.d1 / burst.sent, false, 0.2, "");
  const socket = (key) => delayed?.rows.find((r) => r.key === key)?.p50;
  const [plain, slow] = [socket("socket"), socket("socket-d1")];
  const detail = Number.isFinite(plain - slow) ? ` (${f1(plain)} ms without, ${f1(slow)} ms with)` : "";
  target(`socket p50 with D1 delayed ${delayed?.delay ?? "–"} ms, distance from the undelayed run`, Math.abs(slow - plain), false, 2, " ms", detail);
}
