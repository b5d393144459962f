// `npm run bench`: D1 cost per endpoint (rows read/written, from Server-Timing: the directory and the
// channel's history shard together) on a channel with 10,000 messages, against a real `wrangler dev`
// (local D1) seeded in a throwaway state directory.
import { ensureDevVars } from "../scripts/dev-vars.mjs";
import { api, d1Cost, seededId, startServer } from "./server.mjs";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const PORT = process.env.BENCH_PORT ?? "8790";

/** The directory (`DB`): users, the channel (placed on HISTORY_0) and its members; the history (`HISTORY_0`): its messages. */
function seedSql() {
  const now = Date.now();
  const channel = "1100000000000000001";
  const directory = [
    `insert into users (id, display_name) values ('alice', 'Alice'), ('bob', 'Bob');`,
    `update shards set channels = channels + 1 where name = 'HISTORY_0';`, // the directory's migration registered HISTORY_0
    `insert into channels (id, type, name, owner_id, member_count, created_at, last_activity_at, last_position, last_message_at, shard)
       values ('${channel}', 'group', 'History', 'alice', 2, ${now}, ${now}, ${MESSAGES}, ${now}, 'HISTORY_0');`,
    `insert into channel_members (channel_id, user_id, role, joined_at, read_position)
       values ('${channel}', 'alice', 'owner', ${now}, ${MESSAGES}), ('${channel}', 'bob', 'member', ${now}, ${MESSAGES / 2});`,
  ];
  const history = [];
  for (let i = 1; i <= MESSAGES; i += 500) {
    const rows = [];
    for (let p = i; p < i + 500 && p <= MESSAGES; p++) {
      const id = seededId(p);
      // A conversation for the first half; then Bob is away (read up to the middle) and Alice posts on.
      const sender = p <= MESSAGES / 2 && p % 2 === 0 ? "bob" : "alice";
      rows.push(`('${id}', '${channel}', ${p}, '${sender}', 'message number ${p}', ${now - (MESSAGES - p) * 1000})`);
    }
    history.push(`insert into messages (id, channel_id, position, sender_id, body, created_at) values ${rows.join(",")};`);
  }
  return { channel, seed: { DB: directory.join("\n"), HISTORY_0: history.join("\n") } };
}

async function main() {
  const { channel, seed } = seedSql();
  const server = await startServer({ port: PORT, seed });
  try {
    const tokens = { alice: await server.token("alice", "Alice"), bob: await server.token("bob", "Bob") };
    const call = (user, method, url, body, headers) => api(server.base, tokens[user], method, url, body, headers);
    // Warm up: the first request of each user writes its user row.
    await call("alice", "GET", "/v1/users/me");
    await call("bob", "GET", "/v1/users/me");

    const c = `/v1/channels/${channel}`;
    const rows = [];
    const measure = async (label, user, method, url, body, headers) => {
      const r = await call(user, method, url, body, headers);
      rows.push({ label, ...d1Cost(r.res) });
      return r.json;
    };
    const page = await measure("GET …/messages?limit=50 (newest)", "bob", "GET", `${c}/messages?limit=50`);
    const mid = seededId(MESSAGES / 2);
    await measure("GET …/messages?limit=50&before=<middle>", "bob", "GET", `${c}/messages?limit=50&before=${mid}`);
    await measure("GET …/messages?limit=50&around=<middle>", "bob", "GET", `${c}/messages?limit=50&around=${mid}`);
    await measure("GET /v1/channels (unread_count 5000)", "bob", "GET", "/v1/channels");
    const sent = await measure("POST …/messages", "alice", "POST", `${c}/messages`, { body: "hello" });
    const key = { "Idempotency-Key": `bench-${Date.now()}` };
    await measure("POST …/messages with Idempotency-Key", "alice", "POST", `${c}/messages`, { body: "once" }, key);
    await measure("POST …/messages, retry with the same key", "alice", "POST", `${c}/messages`, { body: "once" }, key);
    await measure("PUT …/messages/{id}", "alice", "PUT", `${c}/messages/${sent.id}`, { body: "edited" });
    await measure("POST …/reactions", "bob", "POST", `${c}/messages/${sent.id}/reactions`, { emote_asset_id: "1" });
    await measure("DELETE …/reactions/{emote}", "bob", "DELETE", `${c}/messages/${sent.id}/reactions/1`);
    await measure("DELETE …/messages/{id}", "alice", "DELETE", `${c}/messages/${sent.id}`);
    await measure("POST …/read", "bob", "POST", `${c}/read`, { last_read_message_id: page.messages[0].id });
    await measure("GET /v1/channels/{id}", "bob", "GET", c);
    await measure("GET …/members", "bob", "GET", `${c}/members`);

    // Channels and members: Carol belongs to 100 channels (plus the DM below).
    tokens.carol = await server.token("carol", "Carol");
    await call("carol", "GET", "/v1/users/me");
    const room = await measure("POST /v1/channels (room)", "carol", "POST", "/v1/channels", { type: "room", name: "Lobby" });
    for (let i = 1; i < 100; i++) await call("carol", "POST", "/v1/channels", { type: "group", name: `g${i}` });
    await measure("POST /v1/channels (new DM)", "carol", "POST", "/v1/channels", { type: "dm", user_id: "bob" });
    await measure("POST /v1/channels (existing DM)", "carol", "POST", "/v1/channels", { type: "dm", user_id: "bob" });
    await measure("GET /v1/channels (101 channels)", "carol", "GET", "/v1/channels");
    await measure("GET /v1/rooms (page of 50)", "bob", "GET", "/v1/rooms");
    await measure("POST …/members (join a room)", "bob", "POST", `/v1/channels/${room.id}/members`, { user_id: "bob" });
    await measure("PUT /v1/channels/{id} (rename)", "carol", "PUT", `/v1/channels/${room.id}`, { name: "Lounge" });
    await measure("DELETE …/members/me (leave)", "bob", "DELETE", `/v1/channels/${room.id}/members/me`);
    await measure("GET /v1/users/me (known user: auth costs nothing)", "bob", "GET", "/v1/users/me");

    // The integration API: a key, a publisher, a send to a conversation (after one to warm up).
    const admin = (method, url, body) => api(server.base, ensureDevVars().ADMIN_TOKEN, method, url, body);
    const { json: apiKey } = await admin("POST", "/admin/v1/api-keys", { name: "bench", scopes: ["chat.write"] });
    const { json: pub } = await admin("POST", "/admin/v1/publishers", { name: "Bench Bot", imageUrl: null });
    const integration = (body) => fetch(`${server.base}/chat/v1/conversations/${channel}/message`, {
      method: "POST",
      headers: { "X-API-KEY": apiKey.key, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    await integration({ senderId: pub.id, text: "warm-up" });
    const res = await integration({ senderId: pub.id, text: "disk almost full" });
    if (!res.ok) throw new Error(`integration send: ${res.status} ${await res.text()}`);
    rows.push({ label: "POST /chat/v1/conversations/{id}/message (integration)", ...d1Cost(res) });

    console.log(`\nD1 cost per request (local D1, from Server-Timing: directory + history shard together); a channel with ${MESSAGES} messages\n`);
    console.log("| request | round trips | queries | rows read | rows written |\n| --- | --- | --- | --- | --- |");
    for (const r of rows) console.log(`| ${r.label} | ${r.roundTrips} | ${r.queries} | ${r.read} | ${r.written} |`);
  } finally {
    server.stop();
  }
}

await main();
