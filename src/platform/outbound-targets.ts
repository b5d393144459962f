/**
 * Where the Worker may send requests on someone's behalf: webhook targets today, push and link
 * preview targets next (one rule for all, so none of them is a way around another). https only, on
 * the standard ports (443, or 80), never at loopback, private, link-local or otherwise
 * non-public addresses, so a webhook cannot be used to probe the network behind the Worker (SSRF).
 * Literal IPs are checked after the URL parser has normalised them (`http://2130706433/`,
 * `0x7f.1`, `[::ffff:127.0.0.1]` all become something these rules see), and obvious local names too.
 * A public name that resolves to a private address (DNS rebinding) is out of reach here: Workers
 * cannot resolve names before fetching. Cloudflare's own egress does not route to private networks.
 *
 * Other ports are refused because internal services (databases, admin consoles, metadata proxies)
 * listen there, and a public name may still lead to one.
 *
 * With DEV_LOGIN=true (local development and the tests), loopback targets are allowed, over http too,
 * and any port (local receivers listen on whatever port is free).
 */

/** Ports a target may name outside DEV_LOGIN (443 is https's default, which the URL parser drops). */
const ALLOWED_PORTS = new Set(["443", "80"]);

const LOCAL_NAMES = /(^|\.)(localhost|localdomain|local|internal|intranet|lan|home\.arpa|ip6-localhost|ip6-loopback)$/;

/** IPv4 ranges that are not the public internet (RFC 6890 and friends), as [first octets, prefix]. */
const V4_BLOCKED: [number, number, number, number, number][] = [
  [0, 0, 0, 0, 8], // "this network"
  [10, 0, 0, 0, 8], // private
  [100, 64, 0, 0, 10], // carrier-grade NAT
  [127, 0, 0, 0, 8], // loopback
  [169, 254, 0, 0, 16], // link-local (cloud metadata endpoints live here)
  [172, 16, 0, 0, 12], // private
  [192, 0, 0, 0, 24], // IETF protocol assignments
  [192, 0, 2, 0, 24], // documentation
  [192, 88, 99, 0, 24], // 6to4 relay
  [192, 168, 0, 0, 16], // private
  [198, 18, 0, 0, 15], // benchmarking
  [198, 51, 100, 0, 24], // documentation
  [203, 0, 113, 0, 24], // documentation
  [224, 0, 0, 0, 4], // multicast
  [240, 0, 0, 0, 4], // reserved, broadcast
];

function parseV4(host: string): number | undefined {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

const v4Blocked = (ip: number) =>
  V4_BLOCKED.some(([a, b, c, d, prefix]) => {
    const base = ((a * 256 + b) * 256 + c) * 256 + d;
    const size = 2 ** (32 - prefix);
    return ip >= base && ip < base + size;
  });

const isV4Loopback = (ip: number) => ip >>> 24 === 127;

/** The 8 hextets of a bracketed IPv6 literal as the URL parser prints it (compressed, lowercase). */
function parseV6(host: string): number[] | undefined {
  if (!host.startsWith("[") || !host.endsWith("]")) return undefined;
  let text = host.slice(1, -1);
  // An embedded dotted quad (the parser normally rewrites it, but be safe): two hextets.
  const dotted = text.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const v4 = parseV4(dotted[2]!);
    if (v4 === undefined) return undefined;
    text = `${dotted[1]}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array(Math.max(0, fill)).fill("0"), ...right].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** The IPv4 address an IPv6 one carries (mapped, compatible, NAT64), if any. */
function embeddedV4(g: number[]): number | undefined {
  const v4 = g[6]! * 65536 + g[7]!;
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) return v4; // ::ffff:a.b.c.d, ::a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4; // 64:ff9b::/96
  return undefined;
}

const isV6Loopback = (g: number[]) => g.slice(0, 7).every((x) => x === 0) && g[7] === 1;

function v6Blocked(g: number[]): boolean {
  if (g.every((x) => x === 0) || isV6Loopback(g)) return true; // ::, ::1
  const v4 = embeddedV4(g);
  if (v4 !== undefined) return v4Blocked(v4);
  const first = g[0]!;
  return (
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xffc0) === 0xfec0 || // site-local (deprecated)
    (first & 0xff00) === 0xff00 || // multicast
    (first === 0x64 && g[1] === 0xff9b && g[2] === 0x0001) || // 64:ff9b:1::/48 local-use NAT64: a private network's own translator
    (first === 0x2001 && g[1] === 0x0db8) || // documentation
    (first === 0x2001 && g[1]! < 0x0200) || // 2001::/23 IETF protocol assignments (Teredo, ORCHID, …)
    first === 0x2002 // 6to4: carries an arbitrary IPv4 address
  );
}

function isLoopback(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  const v4 = parseV4(host);
  if (v4 !== undefined) return isV4Loopback(v4);
  const v6 = parseV6(host);
  return v6 !== undefined && (isV6Loopback(v6) || (embeddedV4(v6) !== undefined && isV4Loopback(embeddedV4(v6)!)));
}

/** Why `url` may not be a webhook target, or undefined when it may. */
export function targetProblem(url: string, devLogin: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "url must be an absolute URL";
  }
  if (url.length > 2048) return "url must be at most 2048 characters";
  if (parsed.username || parsed.password) return "url must not carry credentials";
  const host = parsed.hostname.toLowerCase().replace(/\.$/, "");
  if (devLogin && isLoopback(host) && (parsed.protocol === "http:" || parsed.protocol === "https:")) return undefined;
  if (parsed.protocol !== "https:") return "url must use https";
  if (!host) return "url must name a host";
  // The URL parser empties a scheme's default port, so "" is 443 here (https) and "80" is https on 80.
  if (!devLogin && parsed.port !== "" && !ALLOWED_PORTS.has(parsed.port)) return "url must use port 443 or 80";
  const v4 = parseV4(host);
  if (v4 !== undefined) return v4Blocked(v4) ? "url must not point at a private, loopback or reserved address" : undefined;
  if (host.startsWith("[")) {
    const v6 = parseV6(host);
    return v6 === undefined || v6Blocked(v6) ? "url must not point at a private, loopback or reserved address" : undefined;
  }
  if (!host.includes(".") || LOCAL_NAMES.test(host)) return "url must name a public host";
  return undefined;
}
