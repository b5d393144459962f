// The rooms of bench/fanout.mjs, one per server and subscriber count: subscriber k's frames go to
// the tracked run their token names. A sender's `send(body, token)` resolves at its path's answer
// (201, ack, 204, its own echo).
import { api, d1Cost } from "./server.mjs";
import { subscriberText } from "./fanout-track.mjs";

/** Counted along the way: D1 statements per REST send, sockets a server closed, demo resends. */
export const stats = { restD1: [], lostSockets: 0, demoRetries: 0 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A socket, retried on a failed handshake (two busy cores): `connect()` gives a fresh url (and
 * headers) per attempt; resolves at `open`, or at the first frame `ready(text)` accepts.
 */
async function openSocket(connect, { hello, ready, onText }) {
  for (let attempt = 1; ; attempt++) {
    const { url, headers } = await connect();
    const ws = new WebSocket(url, headers ? { headers } : undefined);
    try {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no ready within 20 s")), 20_000);
        const done = () => (clearTimeout(timer), resolve());
        ws.addEventListener("open", () => (hello ? ws.send(hello) : !ready && done()));
        ws.addEventListener("message", (e) => (ready?.(e.data) ? done() : onText(e.data)));
        ws.addEventListener("error", () => reject(new Error(`WebSocket error before ready (${url.split("?")[0]})`)));
      });
      ws.addEventListener("close", () => ws.bye || closedByServer(url));
      return ws;
    } catch (err) {
      ws.close();
      if (attempt === 5) throw err;
      await sleep(250 * attempt);
    }
  }
}
/** Counted, and said the first time: `wrangler dev` reloads (closing every socket) when its sources change. */
function closedByServer(url) {
  if (!stats.lostSockets++) console.log(`! a socket was closed by ${new URL(url).host} (a wrangler dev reload after an edit?)`);
}
export const bye = (ws) => ((ws.bye = true), ws.close());

/** Opens `n` subscribers, 8 handshakes at a time. */
async function openMany(n, open) {
  const sockets = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(8, n) }, async () => {
    while (next < n) {
      const k = next++;
      sockets[k] = await open(k);
    }
  }));
  return sockets;
}

export async function projectRoom(server, label, n) {
  const owner = await server.token(`owner-${label}`);
  const { json: channel } = await api(server.base, owner, "POST", "/v1/channels", { type: "room", name: `fanout ${label}` });
  const join = async (user) => {
    const token = await server.token(user);
    await api(server.base, token, "POST", `/v1/channels/${channel.id}/members`, { user_id: user });
    return token;
  };
  const connect = (token) => async () => {
    const { json } = await api(server.base, token, "POST", `/v1/channels/${channel.id}/ws-ticket`);
    return { url: `${server.base.replace("http", "ws")}/v1/channels/${channel.id}/ws?ticket=${json.ticket}` };
  };
  const ready = (t) => t.startsWith('{"type":"ready"');
  const subs = await openMany(n, async (k) => openSocket(connect(await join(`sub-${label}-${k}`)), { ready, onText: subscriberText(k) }));
  return {
    subs,
    channelId: channel.id,
    async rest(name) {
      const token = await join(name);
      const url = `/v1/channels/${channel.id}/messages`;
      return { send: async (body) => void stats.restD1.push(d1Cost((await api(server.base, token, "POST", url, { body })).res).queries), close() {} };
    },
    async socket(name) {
      const pending = new Map();
      const onText = (t) => {
        if (!t.startsWith('{"type":"ack"') && !t.startsWith('{"type":"error"')) return;
        const f = JSON.parse(t);
        pending.get(f.client_msg_id)?.(f);
      };
      const ws = await openSocket(connect(await join(name)), { ready, onText });
      const send = (body, id) =>
        new Promise((resolve, reject) => {
          pending.set(id, (f) => (pending.delete(id), f.type === "ack" ? resolve() : reject(new Error(`socket send: ${JSON.stringify(f.data)}`))));
          ws.send(JSON.stringify({ type: "send", client_msg_id: id, body }));
        });
      return { send, close: () => bye(ws) };
    },
  };
}

export async function minimalRoom(base, label, n) {
  const url = `${base.replace("http", "ws")}/ws/${label}`;
  const subs = await openMany(n, (k) => openSocket(async () => ({ url }), { onText: subscriberText(k) }));
  return {
    subs,
    async sender() {
      const ws = await openSocket(async () => ({ url }), { onText() {} }); // listens only, as a sender's app would
      const send = async (body) => {
        const res = await fetch(`${base}/send/${label}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ body }) });
        if (res.status !== 204) throw new Error(`minimal send: ${res.status} ${await res.text()}`);
      };
      return { send, close: () => bye(ws) };
    },
  };
}

let ips = 0;
export async function demoRoom(base, label, n) {
  const url = `${base.replace("http", "ws")}/api/room/${label}/websocket`;
  const open = (name, onText) => {
    const connect = async () => (ips++, { url, headers: { "CF-Connecting-IP": `10.${(ips >> 16) & 255}.${(ips >> 8) & 255}.${ips & 255}` } });
    return openSocket(connect, { hello: JSON.stringify({ name }), ready: (t) => t === '{"ready":true}', onText });
  };
  const subs = await openMany(n, (k) => open(`s${k}-${label}`, subscriberText(k)));
  return {
    subs,
    async sender(name) {
      let pending; // one message in flight: the sender's own echo answers it
      const ws = await open(name, (t) => {
        if (!pending) return;
        if (t.includes(pending.marker)) return pending.resolve(), (pending = undefined);
        // Refused while the limiter call of the previous message is still out: send again.
        if (t.includes("rate-limited")) return stats.demoRetries++, setTimeout(() => ws.send(pending.frame), 1);
        if (t.startsWith('{"error"')) pending.reject(new Error(`demo: ${t.slice(0, 200)}`)), (pending = undefined);
      });
      const send = (body, token) => new Promise((resolve, reject) => ((pending = { marker: `@@${token}@@`, frame: JSON.stringify({ message: body }), resolve, reject }), ws.send(pending.frame)));
      return { send, close: () => bye(ws) };
    },
  };
}
