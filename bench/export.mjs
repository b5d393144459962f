// `npm run bench:export`: an export of one big channel (DESIGN §17, issue #29) against a real
// `wrangler dev` (local D1, R2 and Queues), seeded with direct SQL inserts as bench/search.mjs is:
// one channel on HISTORY_0 with BENCH_EXPORT_MESSAGES (100,000) chat-like messages, one in 50 with a
// reaction and one in 200 with an attachment (so the NDJSON has reaction and manifest lines too).
//
// Reports: wall time from POST /admin/v1/exports to `done` (queue hops included: the JOBS consumer's
// max_batch_timeout is 1 s), parts, the most lines and bytes in one part (one job run's output and
// about its memory), that every message came back once and in order, and the extrapolation to
// 1,000,000 messages (runs scale linearly: each reads the next pages by id through an index).
import { api, seededId as id, seededRandom, sqlString as q, startServer, WORDS } from "./server.mjs";

const MESSAGES = Number(process.env.BENCH_EXPORT_MESSAGES ?? 100_000);
const PORT = process.env.BENCH_PORT ?? "8794";
const PER_INSERT = 500;

const random = seededRandom(0x5eed);
const body = () => Array.from({ length: 4 + Math.floor(random() * 14) }, () => WORDS[Math.floor(random() * WORDS.length)]).join(" ");

function seed() {
  const now = Date.now();
  const big = id(1);
  const directory = [
    `insert into users (id, display_name) values ('alice', 'Alice'), ('bob', 'Bob');`,
    `insert into channels (id, type, name, owner_id, member_count, created_at, last_activity_at, last_position, last_message_at, shard)
       values ('${big}', 'group', 'Big', 'alice', 2, ${now}, ${now}, ${MESSAGES}, ${now}, 'HISTORY_0');`,
    `insert into channel_members (channel_id, user_id, role, joined_at, read_position) values ('${big}', 'alice', 'owner', ${now}, ${MESSAGES}), ('${big}', 'bob', 'member', ${now}, ${MESSAGES});`,
    `insert into shards (name, channels) values ('HISTORY_0', 1) on conflict (name) do update set channels = excluded.channels;`,
  ];
  const history = [];
  for (let i = 1; i <= MESSAGES; i += PER_INSERT) {
    const rows = [];
    const reactions = [];
    for (let p = i; p < i + PER_INSERT && p <= MESSAGES; p++) {
      const files = p % 200 === 0 ? `'[{"asset_id":"${id(5_000_000 + p)}","filename":"f${p}.png","content_type":"image/png","size_bytes":1234}]'` : "'[]'";
      rows.push(`('${id(10_000 + p)}', '${big}', ${p}, '${p % 2 ? "alice" : "bob"}', ${q(body())}, ${files}, ${now - (MESSAGES - p) * 1000})`);
      if (p % 50 === 0) reactions.push(`('${id(10_000 + p)}', '1', 'bob', ${now})`);
    }
    history.push(`insert into messages (id, channel_id, position, sender_id, body, attachments, created_at) values ${rows.join(",")};`);
    if (reactions.length) {
      history.push(`insert into reactions (message_id, emote_asset_id, user_id, created_at) values ${reactions.join(",")};`);
      history.push(`insert into reaction_counts (message_id, emote_asset_id, count, first_at) values ${reactions.map((r) => r.replace(/'bob', (\d+)\)$/, "1, $1)")).join(",")};`);
    }
  }
  const chunk = (stmts) => Array.from({ length: Math.ceil(stmts.length / 40) }, (_, i) => stmts.slice(i * 40, (i + 1) * 40).join("\n"));
  return { big, seed: { DB: directory.join("\n"), HISTORY_0: chunk(history) } };
}

async function main() {
  const t0 = Date.now();
  const { big, seed: files } = seed();
  const server = await startServer({ port: PORT, seed: files });
  console.error(`seeded ${MESSAGES.toLocaleString("en-US")} messages and started in ${Math.round((Date.now() - t0) / 1000)} s`);
  try {
    const admin = (method, url, b) => api(server.base, server.adminToken, method, url, b);
    const start = performance.now();
    const { json: created } = await admin("POST", "/admin/v1/exports", { channel_ids: [big] });
    let state;
    for (;;) {
      ({ json: state } = await admin("GET", `/admin/v1/exports/${created.id}`));
      if (state.status === "done" || state.status === "failed") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = (performance.now() - start) / 1000;
    if (state.status !== "done") throw new Error(`export ${state.status}: ${state.error}`);

    let maxLines = 0;
    let maxBytes = 0;
    let total = 0;
    let previous = "";
    let messages = 0;
    const kinds = {};
    for (const url of state.urls) {
      const text = await (await fetch(url)).text();
      const lines = text.trimEnd().split("\n");
      maxLines = Math.max(maxLines, lines.length);
      maxBytes = Math.max(maxBytes, text.length);
      total += text.length;
      for (const line of lines) {
        const l = JSON.parse(line);
        kinds[l.type] = (kinds[l.type] ?? 0) + 1;
        if (l.type !== "message") continue;
        if (!(l.id > previous)) throw new Error(`message ${l.id} out of order`);
        previous = l.id;
        messages++;
      }
    }
    if (messages !== MESSAGES || state.messages !== MESSAGES) throw new Error(`exported ${messages} (reported ${state.messages}) of ${MESSAGES}`);
    const perRun = seconds / state.parts;
    const scale = 1_000_000 / MESSAGES;
    console.log(`\nExport of one channel of ${MESSAGES.toLocaleString("en-US")} messages (local wrangler dev)\n`);
    console.log(`| measure | value |\n| --- | --- |`);
    console.log(`| wall time, POST to done | ${seconds.toFixed(1)} s |`);
    console.log(`| parts (one per job run) | ${state.parts} |`);
    console.log(`| lines: ${Object.entries(kinds).map(([k, n]) => `${k} ${n.toLocaleString("en-US")}`).join(", ")} | ${Object.values(kinds).reduce((a, b) => a + b, 0).toLocaleString("en-US")} |`);
    console.log(`| most lines in one part (one run) | ${maxLines.toLocaleString("en-US")} |`);
    console.log(`| largest part | ${(maxBytes / 1e6).toFixed(2)} MB |`);
    console.log(`| total NDJSON | ${(total / 1e6).toFixed(1)} MB |`);
    console.log(`| mean time per run (queue hop included) | ${perRun.toFixed(2)} s |`);
    console.log(`| extrapolated to 1,000,000 messages | ~${Math.ceil(state.parts * scale)} parts, ~${Math.round(seconds * scale)} s, the same per-run bounds |`);
  } finally {
    server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
