// `npm run bench:scale` (also part of `npm run bench`): does the D1 cost of a request grow with history?
//
// Against a real `wrangler dev` (local D1), seeded with `wrangler d1 execute --local --file` in chunks:
//   - three channels on HISTORY_0 with 1,000, 10,000 and 100,000 messages (five senders, bodies of
//     ~100 characters, 3% with an image attachment, 5% with an inline emote, 1% deleted, 10% with
//     one to three reactions), each with a reader whose cursor is in the middle;
//   - a user in 1,000 channels (100 of them DMs), and two users in 100 channels each: one spread
//     over HISTORY_0 and HISTORY_1, one on HISTORY_0 alone;
//   - a size sample on HISTORY_1: 500 channels × 100 messages, inserted interleaved (as traffic arrives).
// It measures rows read / written and queries per request from `Server-Timing` (the directory and
// the channel's shard together), and the bytes each row takes (SQLite's dbstat over the local files).
import { readdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { api, d1Cost, startServer, seededRandom, WORDS } from "./server.mjs";

const SIZES = (process.env.BENCH_SCALE_SIZES ?? "1000,10000,100000").split(",").map(Number);
const USER_CHANNELS = Number(process.env.BENCH_USER_CHANNELS ?? 1000);
const PORT = process.env.BENCH_PORT ?? "8792";
const FILE_MESSAGES = 10_000; // messages per seed file (~3 MB of SQL)
const ROWS_PER_INSERT = 200; // keeps each statement under D1's 100 KB statement limit
const SAMPLE_CHANNELS = 500;
const ROOM_MEMBERS = Number(process.env.BENCH_ROOM_MEMBERS ?? 10_000);
const SAMPLE_MESSAGES = 100;

// ---------------------------------------------------------------------------------------------
// Deterministic data

// The same data on every run.
const random = seededRandom(0x2545f491);
const pick = (list) => list[Math.floor(random() * list.length)];
const hex = (name) => {
  let h = 2166136261;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return ((h >>> 0).toString(16) + (Math.imul(h, 2654435761) >>> 0).toString(16)).padEnd(12, "0").slice(0, 12);
};
/** User ids of realistic length (an identity provider's `sub` is rarely a bare first name). */
const uid = (name) => `${name}-${hex(name)}`;

/** A message body: mostly short chat lines, some paragraphs; ~100 characters on average. */
function body() {
  const r = random();
  const target = r < 0.4 ? 8 + random() * 30 : r < 0.85 ? 60 + random() * 90 : 200 + random() * 200;
  let text = "";
  while (text.length < target) text += (text ? " " : "") + pick(WORDS);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const EPOCH_MS = 1_735_689_600_000n; // src/platform/ids.ts
/** A snowflake id as the Worker mints them: time, a node number, a sequence. */
const snowflake = (ms, node, seq = 0) => (((BigInt(ms) - EPOCH_MS) << 22n) | (BigInt(node) << 9n) | BigInt(seq)) + 1_000_000_000_000_000_000n + "";

const NOW = Date.now();
const sql = (v) => (v === null ? "NULL" : typeof v === "number" ? String(v) : `'${String(v).replaceAll("'", "''")}'`);
const inserts = (table, columns, rows) => {
  const out = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const values = rows.slice(i, i + ROWS_PER_INSERT).map((r) => `(${r.map(sql).join(", ")})`);
    out.push(`insert into ${table} (${columns.join(", ")}) values\n${values.join(",\n")};`);
  }
  return out;
};

const stats = { bodies: 0, bodyChars: 0, attachments: 0, emotes: 0, deleted: 0, reactions: 0 };

/**
 * One message at `position` of a channel: its history rows (message, reactions, counts) and, when
 * deleted, the directory's deleted_positions row.
 */
function message(channel, position, createdAt, node, senders) {
  const id = snowflake(createdAt, node);
  const sender = senders[position % senders.length];
  const deleted = position % 100 === 50;
  let text = body();
  let attachments = "[]";
  let emotes = "[]";
  if (!deleted && random() < 0.03) {
    stats.attachments++;
    attachments = JSON.stringify([
      { asset_id: snowflake(createdAt - 5000, node), filename: `IMG_${1000 + (position % 9000)}.jpg`, content_type: "image/jpeg", size_bytes: 150_000 + Math.floor(random() * 3_000_000), width: 4032, height: 3024 },
    ]);
  }
  if (!deleted && random() < 0.05) {
    stats.emotes++;
    text = `:party: ${text}`;
    emotes = JSON.stringify([{ shortcode: "party", asset_id: "7301", start_index: 0, end_index: 7 }]);
  }
  if (deleted) {
    stats.deleted++;
    text = "";
  } else {
    stats.bodies++;
    stats.bodyChars += text.length;
  }
  const row = [id, channel, position, sender, text, attachments, emotes, createdAt, null, deleted ? createdAt + 60_000 : null];
  const reactions = [];
  const counts = [];
  if (!deleted && position % 10 === 3) {
    const byEmote = new Map();
    for (let j = 0; j < 1 + (position % 3); j++) {
      const emote = String(101 + (j % 2));
      reactions.push([id, emote, senders[(position + j + 1) % senders.length], createdAt + 1000 * (j + 1)]);
      const c = byEmote.get(emote) ?? { count: 0, first: createdAt + 1000 * (j + 1) };
      c.count++;
      byEmote.set(emote, c);
    }
    for (const [emote, c] of byEmote) counts.push([id, emote, c.count, c.first]);
    stats.reactions += reactions.length;
  }
  return { id, row, reactions, counts, deletedPosition: deleted ? [channel, position, sender] : null };
}

const MESSAGE_COLUMNS = ["id", "channel_id", "position", "sender_id", "body", "attachments", "inline_emotes", "created_at", "edited_at", "deleted_at"];

/** Seed files for a run of messages (in the given order), FILE_MESSAGES per file. */
function historyFiles(messages) {
  const files = [];
  for (let i = 0; i < messages.length; i += FILE_MESSAGES) {
    const part = messages.slice(i, i + FILE_MESSAGES);
    files.push(
      [
        ...inserts("messages", MESSAGE_COLUMNS, part.map((m) => m.row)),
        ...inserts("reactions", ["message_id", "emote_asset_id", "user_id", "created_at"], part.flatMap((m) => m.reactions)),
        ...inserts("reaction_counts", ["message_id", "emote_asset_id", "count", "first_at"], part.flatMap((m) => m.counts)),
      ].join("\n"),
    );
  }
  return files;
}

// ---------------------------------------------------------------------------------------------
// The data set

const U = {
  alice: uid("alice"),
  bob: uid("bob"),
  carol: uid("carol"),
  dave: uid("dave"),
  dana: uid("dana"),
  olivia: uid("olivia"),
  sam: uid("sam"),
  tom: uid("tom"),
  rhea: uid("rhea"),
};
const users = new Map(Object.entries(U).map(([name, id]) => [id, name[0].toUpperCase() + name.slice(1)]));
const directory = []; // DB statements
const shardFiles = { HISTORY_0: [], HISTORY_1: [] };
const shardChannels = { HISTORY_0: 0, HISTORY_1: 0 };
let channelSeq = 0;
const channelRows = [];
const memberRows = [];
const deletedRows = [];

function channel({ type = "group", name, owner, shard, lastPosition, createdAt, lastActivityAt = createdAt, lastMessageAt = lastPosition ? lastActivityAt : null, dmKey = null, members }) {
  const node = ++channelSeq;
  const id = snowflake(createdAt, 8000 + (node % 190), node % 512);
  channelRows.push([id, type, name, owner, dmKey, members.length, createdAt, lastActivityAt, lastPosition, lastMessageAt, shard]);
  for (const m of members) {
    memberRows.push([id, m.user, m.role ?? "member", createdAt, m.lastRead ?? null, m.read ?? lastPosition, m.read === undefined ? null : lastActivityAt, m.ownAfter ?? 0]);
  }
  shardChannels[shard]++;
  return { id, node };
}

// Three channels of growing history, on HISTORY_0.
const big = [];
for (const size of SIZES) {
  const reader = uid(`reader${size}`);
  users.set(reader, `Reader of ${size}`);
  const senders = [U.alice, U.bob, U.carol, U.dave, reader];
  const start = NOW - size * 20_000; // a message every 20 s
  const messages = [];
  // The channel row first (its id), then the messages with their ids.
  const node = channelSeq + 1;
  for (let p = 1; p <= size; p++) messages.push(message(null, p, start + p * 20_000, node, senders));
  const middle = size / 2;
  const ownAfter = messages.filter((m, i) => i + 1 > middle && m.row[3] === reader).length;
  const ch = channel({
    name: `History ${size}`,
    owner: U.alice,
    shard: "HISTORY_0",
    lastPosition: size,
    createdAt: start,
    lastActivityAt: start + size * 20_000,
    members: [
      { user: U.alice, role: "owner", lastRead: messages.at(-1).id },
      { user: U.bob, lastRead: messages.at(-1).id },
      { user: U.carol, lastRead: messages.at(-1).id },
      { user: U.dave, lastRead: messages.at(-1).id },
      { user: reader, lastRead: messages[middle - 1].id, read: middle, ownAfter },
    ],
  });
  for (const m of messages) {
    m.row[1] = ch.id;
    if (m.deletedPosition) deletedRows.push([ch.id, ...m.deletedPosition.slice(1)]);
  }
  shardFiles.HISTORY_0.push(...historyFiles(messages));
  big.push({ size, channel: ch.id, reader, newest: messages.at(-1).id, middle: messages[middle - 1].id, back50: messages[size - 51].id, deletedAfterMiddle: messages.filter((m, i) => i + 1 > middle && m.deletedPosition && m.row[3] !== reader).length, ownAfter });
}

// A user in USER_CHANNELS channels (one in ten a DM), every channel with a little unread.
for (let i = 0; i < USER_CHANNELS; i++) {
  const createdAt = NOW - 90 * 86_400_000 + i * 1000;
  const lastPosition = 20 + ((i * 37) % 400);
  const lastActivityAt = NOW - ((i * 7919) % 30) * 86_400_000 - i * 1000;
  const read = lastPosition - (i % 7);
  if (i % 10 === 0) {
    const peer = uid(`peer${i}`);
    users.set(peer, `Peer ${i}`);
    const key = [U.dana, peer].sort().join(" ");
    channel({ type: "dm", name: "", owner: null, shard: "HISTORY_0", lastPosition, createdAt, lastActivityAt, dmKey: key, members: [{ user: U.dana, read, lastRead: snowflake(lastActivityAt, 1) }, { user: peer }] });
  } else {
    const ch = channel({ name: `Team ${i}`, owner: U.olivia, shard: "HISTORY_0", lastPosition, createdAt, lastActivityAt, members: [{ user: U.olivia, role: "owner" }, { user: U.dana, read, lastRead: snowflake(lastActivityAt, 1) }] });
    // Some of it deleted after her cursor: unread counts skip it.
    if (i % 10 === 5 && read < lastPosition) deletedRows.push([ch.id, lastPosition, U.olivia]);
  }
}

// The interleaved size sample: SAMPLE_CHANNELS channels on HISTORY_1, messages arriving in turn.
const sampleSenders = [U.olivia, U.alice, U.bob, U.carol, U.dave];
const sample = [];
for (let c = 0; c < SAMPLE_CHANNELS; c++) {
  const createdAt = NOW - 40 * 86_400_000 + c;
  sample.push(channel({ name: `Sample ${c}`, owner: U.olivia, shard: "HISTORY_1", lastPosition: SAMPLE_MESSAGES, createdAt, lastActivityAt: NOW - c * 1000, members: sampleSenders.map((user, k) => ({ user, role: k ? "member" : "owner" })) }));
}
const sampleMessages = [];
for (let p = 1; p <= SAMPLE_MESSAGES; p++) {
  for (let c = 0; c < SAMPLE_CHANNELS; c++) {
    const at = NOW - 30 * 86_400_000 + (p * SAMPLE_CHANNELS + c) * 2000;
    const m = message(sample[c].id, p, at, sample[c].node % 8000, sampleSenders);
    if (m.deletedPosition) deletedRows.push(m.deletedPosition);
    sampleMessages.push(m);
  }
}
shardFiles.HISTORY_1.push(...historyFiles(sampleMessages));
// One send in ten with an Idempotency-Key (kept 24 h): only to measure the size of a key.
const keys = sampleMessages
  .filter((m) => m.row[2] % 10 === 7)
  .map((m) => [m.row[3], `${hex(m.row[0])}-${hex(m.row[0] + "k").slice(0, 4)}-4${hex(m.row[0] + "v").slice(0, 3)}-${hex(m.row[0] + "w")}`, m.row[0], m.row[7]]);
shardFiles.HISTORY_1.push(inserts("idempotency_keys", ["sender_id", "key", "message_id", "created_at"], keys).join("\n"));

// 100 small channels on HISTORY_0 (10 messages each); Sam is in 50 of them and 50 sample channels
// (both shards), Tom in all 100 (one shard).
const small = [];
const smallMessages = [];
for (let c = 0; c < 100; c++) {
  const createdAt = NOW - 20 * 86_400_000 + c;
  const members = [{ user: U.olivia, role: "owner" }, { user: U.tom, read: 5 }];
  if (c < 50) members.push({ user: U.sam, read: 5 });
  const ch = channel({ name: `Small ${c}`, owner: U.olivia, shard: "HISTORY_0", lastPosition: 10, createdAt, lastActivityAt: NOW - c * 3000 - 500, members });
  for (let p = 1; p <= 10; p++) smallMessages.push(message(ch.id, p, createdAt + p * 60_000, ch.node % 8000, [U.olivia]));
  small.push(ch);
}
shardFiles.HISTORY_0.push(...historyFiles(smallMessages));
for (const m of smallMessages) if (m.deletedPosition) deletedRows.push(m.deletedPosition);
for (let c = 0; c < 50; c++) memberRows.push([sample[c].id, U.sam, "member", NOW - 40 * 86_400_000, null, 50, NOW, 0]);

// A big room: Rhea's only channel, with ROOM_MEMBERS members.
const roomMembers = [{ user: U.olivia, role: "owner" }, { user: U.rhea, read: 90 }];
for (let i = 0; i < ROOM_MEMBERS - 2; i++) {
  const member = uid(`member${i}`);
  users.set(member, `Member ${i}`);
  roomMembers.push({ user: member });
}
channel({ type: "room", name: "Everyone", owner: U.olivia, shard: "HISTORY_0", lastPosition: 100, createdAt: NOW - 10 * 86_400_000, lastActivityAt: NOW - 60_000, members: roomMembers });

directory.push(
  ...inserts("users", ["id", "display_name"], [...users]),
  ...inserts("channels", ["id", "type", "name", "owner_id", "dm_key", "member_count", "created_at", "last_activity_at", "last_position", "last_message_at", "shard"], channelRows),
  ...inserts("channel_members", ["channel_id", "user_id", "role", "joined_at", "last_read_message_id", "read_position", "read_updated_at", "own_after"], memberRows),
  ...inserts("deleted_positions", ["channel_id", "position", "sender_id"], deletedRows),
  // The directory's migration registered HISTORY_0; placement counts channels per shard.
  `insert into shards (name, channels) values ('HISTORY_0', ${shardChannels.HISTORY_0}), ('HISTORY_1', ${shardChannels.HISTORY_1})
     on conflict (name) do update set channels = excluded.channels;`,
);

// ---------------------------------------------------------------------------------------------
// Sizes: SQLite's dbstat over the local database files (tables and indexes, in bytes of pages)

function measureSizes(state) {
  const dir = path.join(state, "v3", "d1", "miniflare-D1DatabaseObject");
  const found = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")) {
    const db = new DatabaseSync(path.join(dir, file), { readOnly: true });
    try {
      const tables = new Set(db.prepare("select name from sqlite_master where type = 'table'").all().map((r) => r.name));
      const name = tables.has("channels")
        ? "DB"
        : db.prepare("select 1 from messages where channel_id = ?").get(big[0]?.channel ?? "")
          ? "HISTORY_0"
          : db.prepare("select 1 from messages where channel_id = ?").get(sample[0].id)
            ? "HISTORY_1"
            : undefined;
      if (!name) continue;
      const objects = new Map(db.prepare("select name, sum(pgsize) as bytes from dbstat group by name").all().map((r) => [r.name, r.bytes]));
      const total = db.prepare("pragma page_count").get().page_count * db.prepare("pragma page_size").get().page_size;
      const count = (table) => (tables.has(table) ? db.prepare(`select count(*) as n from ${table}`).get().n : 0);
      const indexes = db.prepare("select name, tbl_name from sqlite_master where type = 'index'").all();
      const of = (table) => {
        const names = [table, ...indexes.filter((i) => i.tbl_name === table).map((i) => i.name)];
        return { rows: count(table), bytes: names.reduce((sum, n) => sum + (objects.get(n) ?? 0), 0), table: objects.get(table) ?? 0 };
      };
      found[name] = {
        total,
        ...(name === "DB"
          ? { channels: of("channels"), channel_members: of("channel_members"), deleted_positions: of("deleted_positions"), users: of("users") }
          : { messages: of("messages"), reactions: of("reactions"), reaction_counts: of("reaction_counts"), idempotency_keys: of("idempotency_keys") }),
      };
    } finally {
      db.close();
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Requests

const fmt = (n) => n.toLocaleString("en-US");

async function main() {
  let sizes;
  const t0 = Date.now();
  const server = await startServer({
    port: PORT,
    seed: { DB: directory.join("\n"), ...shardFiles },
    prepare: (d1) => {
      sizes = measureSizes(d1.state);
    },
  });
  console.error(`seeded and started in ${Math.round((Date.now() - t0) / 1000)} s`);
  try {
    const tokens = new Map();
    const call = async (user, method, url, body, headers) => {
      if (!tokens.has(user)) {
        tokens.set(user, await server.token(user, users.get(user)));
        await api(server.base, tokens.get(user), "GET", "/v1/users/me"); // auth's first-sight user write, outside the measurement
      }
      return api(server.base, tokens.get(user), method, url, body, headers);
    };
    const measure = async (user, method, url, body) => {
      const r = await call(user, method, url, body);
      return { ...d1Cost(r.res), json: r.json, res: r.res };
    };

    // Per history size: the same requests on each channel.
    const perSize = new Map(); // label -> [cost per size]
    const record = (label, i, cost) => {
      if (!perSize.has(label)) perSize.set(label, []);
      perSize.get(label)[i] = cost;
    };
    for (const [i, b] of big.entries()) {
      const c = `/v1/channels/${b.channel}`;
      record("GET /v1/channels (the reader: this channel, half of it unread)", i, await measure(b.reader, "GET", "/v1/channels"));
      record("GET …/messages?limit=50 (newest)", i, await measure(b.reader, "GET", `${c}/messages?limit=50`));
      record("GET …/messages?limit=50&before=<middle>", i, await measure(b.reader, "GET", `${c}/messages?limit=50&before=${b.middle}`));
      record("GET …/messages?limit=50&after=<middle>", i, await measure(b.reader, "GET", `${c}/messages?limit=50&after=${b.middle}`));
      record("GET …/messages?limit=50&around=<middle>", i, await measure(b.reader, "GET", `${c}/messages?limit=50&around=${b.middle}`));
      const sent = await measure(U.alice, "POST", `${c}/messages`, { body: "Shipping the release tonight, shout if anything looks off in staging." });
      record("POST …/messages (send)", i, sent);
      record("PUT …/messages/{id} (edit)", i, await measure(U.alice, "PUT", `${c}/messages/${sent.json.id}`, { body: "Shipping the release tomorrow morning instead." }));
      record("POST …/reactions (react)", i, await measure(U.bob, "POST", `${c}/messages/${sent.json.id}/reactions`, { emote_asset_id: "101" }));
      record("DELETE …/reactions/{emote} (unreact)", i, await measure(U.bob, "DELETE", `${c}/messages/${sent.json.id}/reactions/101`));
      record("DELETE …/messages/{id} (delete)", i, await measure(U.alice, "DELETE", `${c}/messages/${sent.json.id}`));
      record("POST …/read (mark read: the newest)", i, await measure(b.reader, "POST", `${c}/read`, { last_read_message_id: b.newest }));
      record("POST …/read (mark unread: 50 back)", i, await measure(b.reader, "POST", `${c}/read`, { last_read_message_id: b.back50 }));
      record("POST …/read (mark unread: back to the middle)", i, await measure(b.reader, "POST", `${c}/read`, { last_read_message_id: b.middle }));
    }

    // Channel lists: many channels, and channels on both shards.
    const lists = [];
    const list = async (label, user, url) => {
      const r = await measure(user, "GET", url);
      lists.push({ label, ...r, returned: r.json.length });
      return r;
    };
    await list(`GET /v1/channels (${fmt(USER_CHANNELS)} channels; default page of 200)`, U.dana, "/v1/channels");
    const p50 = await list(`GET /v1/channels?limit=50 (${fmt(USER_CHANNELS)} channels)`, U.dana, "/v1/channels?limit=50");
    const next = p50.res.headers.get("Link")?.match(/<([^>]+)>/)?.[1];
    if (next) await list(`GET /v1/channels?limit=50, second page (Link: rel="next")`, U.dana, next);
    await list("GET /v1/channels (100 channels: 50 on HISTORY_0, 50 on HISTORY_1)", U.sam, "/v1/channels");
    await list("GET /v1/channels (100 channels, all on HISTORY_0)", U.tom, "/v1/channels");
    await list(`GET /v1/channels (1 room with ${fmt(ROOM_MEMBERS)} members)`, U.rhea, "/v1/channels");

    // ---- output
    const sizeHead = SIZES.map(fmt).join(" / ");
    console.log(`\nD1 cost per request as history grows (local D1, Server-Timing: directory + shard together)\n`);
    console.log(`Channels of ${sizeHead} messages on HISTORY_0; each cell is ${sizeHead}.\n`);
    console.log("| request | queries | rows read | rows written | flat? |\n| --- | --- | --- | --- | --- |");
    const notFlat = [];
    // Rows read differ a little from page to page (how many of its messages have reactions, how many
    // senders); growth with history is what is flagged.
    const grows = (vals) => Math.max(...vals) - Math.min(...vals) > Math.max(5, Math.min(...vals) * 0.1);
    const cell = (vals) => (vals.every((v) => v === vals[0]) ? String(vals[0]) : vals.join(" / "));
    for (const [label, costs] of perSize) {
      const read = costs.map((c) => c.read);
      const flat = !grows(read) && !grows(costs.map((c) => c.written));
      if (!flat) notFlat.push({ label, read, written: costs.map((c) => c.written) });
      console.log(`| ${label} | ${cell(costs.map((c) => c.queries))} | ${cell(read)} | ${cell(costs.map((c) => c.written))} | ${flat ? "yes" : "**no**"} |`);
    }
    console.log(`\nChannel lists (directory only: no shard is read)\n`);
    console.log("| request | channels returned | queries | rows read | rows written |\n| --- | --- | --- | --- | --- |");
    for (const l of lists) console.log(`| ${l.label} | ${l.returned} | ${l.queries} | ${fmt(l.read)} | ${l.written} |`);

    console.log(`\nWhat grows (rows read by size ${sizeHead}):`);
    if (!notFlat.length) console.log("- nothing");
    for (const n of notFlat) console.log(`- ${n.label}: ${n.read.map(fmt).join(" / ")} rows read${n.written.some((w) => w !== n.written[0]) ? `, ${n.written.join(" / ")} written` : ""}`);
    console.log(
      `  (the readers' cursors sit in the middle: ${big.map((b) => fmt(b.deletedAfterMiddle)).join(" / ")} others' deleted messages after it, ` +
        `${big.map((b) => fmt(b.ownAfter)).join(" / ")} of their own)`,
    );

    console.log(`\nSeeded history: ${fmt(stats.bodies + stats.deleted)} messages, average body ${(stats.bodyChars / stats.bodies).toFixed(0)} characters, ` +
      `${fmt(stats.attachments)} with an attachment, ${fmt(stats.emotes)} with an inline emote, ${fmt(stats.deleted)} deleted, ${fmt(stats.reactions)} reactions`);
    console.log("\nBytes on disk (SQLite pages of the local D1 files: each table with its indexes)\n");
    console.log("| database | object | rows | bytes (table + indexes) | bytes per row | of which table |\n| --- | --- | --- | --- | --- | --- |");
    for (const [db, s] of Object.entries(sizes).sort()) {
      for (const [object, o] of Object.entries(s)) {
        if (object === "total") continue;
        console.log(`| ${db} | ${object} | ${fmt(o.rows)} | ${fmt(o.bytes)} | ${o.rows ? (o.bytes / o.rows).toFixed(0) : "–"} | ${o.rows ? (o.table / o.rows).toFixed(0) : "–"} |`);
      }
      console.log(`| ${db} | whole file | | ${fmt(s.total)} | | |`);
    }
    for (const db of ["HISTORY_0", "HISTORY_1"]) {
      const s = sizes[db];
      if (!s) continue;
      const all = s.messages.bytes + s.reactions.bytes + s.reaction_counts.bytes;
      console.log(`${db}: ${(all / s.messages.rows).toFixed(0)} bytes per message, its reactions included (${db === "HISTORY_1" ? "interleaved inserts, as live traffic" : "one channel at a time"})`);
    }
  } finally {
    server.stop();
  }
}

await main();
