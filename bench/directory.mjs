// The directory off the message path (DESIGN §12, issue #24): with many channels busy at once, how
// many directory transactions does a message cost? DIR_CHANNELS channels (default 1,000)
// each get DIR_ROUNDS messages (default 3, one round after the other, DIR_CONCURRENCY REST sends in
// flight), sent through REST (the path that answers once its message is in D1). Counted:
//   - the DIRECTORY queue consumer's batches and transactions (its info log line, one per batch);
//   - the directory batches rooms wrote themselves (`directory_transactions` of each room's
//     GET /admin/v1/rooms/{id}: flushes with mentions or deletes made before the flush; none here);
// then directory transactions per message (target ≤ 0.1).
//
//   npm run bench:directory
import { api, startServer } from "./server.mjs";

const CHANNELS = Number(process.env.DIR_CHANNELS ?? 1000);
const ROUNDS = Number(process.env.DIR_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.DIR_CONCURRENCY ?? 25);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const queue = { batches: 0, updates: 0, writes: 0, transactions: 0 };
let counting = false;

const server = await startServer({
  port: Number(process.env.BENCH_PORT ?? 8799),
  onLine(line) {
    const at = line.indexOf('{"queue":"directory"');
    if (at < 0 || !counting) return;
    const b = JSON.parse(line.slice(at));
    queue.batches++;
    queue.updates += b.updates;
    queue.writes += b.writes;
    queue.transactions += b.transactions;
  },
});

/** Runs `task(i)` for i < n, `CONCURRENCY` at a time. */
async function pool(n, task) {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) await task(next++);
  }));
}

try {
  // One owner per channel, each sending into their own: per-user rate limits never trip.
  const owners = await Promise.all(Array.from({ length: CHANNELS }, (_, i) => server.token(`dir-owner-${i}`)));
  const ids = new Array(CHANNELS);
  const began = performance.now();
  await pool(CHANNELS, async (i) => (ids[i] = (await api(server.base, owners[i], "POST", "/v1/channels", { type: "group", name: `busy ${i}` })).json.id));
  console.log(`${CHANNELS} channels created in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  // Creations may still have queue traffic in flight (none expected): let it pass before counting.
  await sleep(2000);
  counting = true;
  const sendBegan = performance.now();
  for (let r = 0; r < ROUNDS; r++) await pool(CHANNELS, (i) => api(server.base, owners[i], "POST", `/v1/channels/${ids[i]}/messages`, { body: `round ${r}` }));
  const sendMs = performance.now() - sendBegan;
  const messages = CHANNELS * ROUNDS;
  // Wait until the consumer has taken an update for every flush (REST sends taking turns per channel: one per message at most).
  const deadline = Date.now() + 60_000;
  let last = 0;
  while (Date.now() < deadline) {
    if (queue.updates === last && queue.updates > 0) break;
    last = queue.updates;
    await sleep(2000);
  }
  const inline = { transactions: 0 };
  await pool(CHANNELS, async (i) => {
    const { json } = await api(server.base, server.adminToken, "GET", `/admin/v1/rooms/${ids[i]}`);
    inline.transactions += json.directory_transactions;
  });
  const total = queue.transactions + inline.transactions;
  console.log(`${messages} REST messages into ${CHANNELS} channels in ${(sendMs / 1000).toFixed(1)} s (${(messages / (sendMs / 1000)).toFixed(0)} msg/s)`);
  console.log(`directory queue: ${queue.batches} batches, ${queue.updates} updates, ${queue.writes} writes, ${queue.transactions} transactions`);
  console.log(`rooms' own directory transactions: ${inline.transactions}`);
  const perMessage = total / messages;
  console.log(`\n${perMessage <= 0.1 ? "PASS" : "FAIL"}  directory transactions per message: ${perMessage.toFixed(3)} (≤ 0.1)`);
} finally {
  server.stop();
}
