/**
 * Fetching someone else's page for a preview, under the webhook targets' address rules (src/webhooks/
 * targets.ts) checked on the first URL and again on every redirect: fetch runs with
 * `redirect: "manual"`, so each `Location` is judged before anything is sent to it (at most 5).
 *
 * What Workers' fetch lets us check, and what not: the rules see the URL (scheme, literal IPv4/IPv6
 * addresses however they are spelled, local names), never the address a name resolves to — Workers
 * have no DNS lookup before a fetch and the Response does not say which address answered. A public
 * name whose DNS points at 10.0.0.1 is therefore not refused here; what keeps it harmless is that
 * Cloudflare's egress does not route to private networks. Loopback and http are allowed only with
 * DEV_LOGIN=true (local development and the tests), as for webhooks.
 */
import type { Env } from "../env";
import { targetProblem } from "../platform/outbound-targets";

export const MAX_REDIRECTS = 5;
export const PAGE_MAX_BYTES = 512 * 1024;
export const FETCH_TIMEOUT_MS = 4000;

export type Fetched = { url: string; contentType: string; bytes: Uint8Array<ArrayBuffer>; cut: boolean };
export type Refused = { refused: string };

/**
 * The first `maxBytes` of `url`'s body when its type passes `accepts`, or why not. `signal` bounds
 * the whole walk (redirects and body): a page that never answers is given up on at its deadline.
 */
export async function fetchPublic(env: Env, url: string, accepts: (type: string) => boolean, maxBytes: number, signal: AbortSignal, accept: string): Promise<Fetched | Refused> {
  const devLogin = env.DEV_LOGIN === "true";
  let current = url;
  for (let hop = 0; ; hop++) {
    const problem = targetProblem(current, devLogin);
    if (problem) return { refused: hop ? `redirect refused: ${problem}` : problem };
    let response: Response;
    try {
      response = await fetch(current, { redirect: "manual", signal, headers: { Accept: accept, "User-Agent": "edge-chat-link-preview/1" } });
    } catch (err) {
      return { refused: signal.aborted ? "timed out" : `fetch failed: ${String(err)}` };
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const location = response.headers.get("Location");
      if (!location || hop >= MAX_REDIRECTS) return { refused: location ? "too many redirects" : "redirect without Location" };
      current = new URL(location, current).href;
      continue;
    }
    const contentType = (response.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (!response.ok || !accepts(contentType)) {
      await response.body?.cancel();
      return { refused: response.ok ? `type ${contentType || "unknown"} not previewed` : `status ${response.status}` };
    }
    try {
      const { bytes, cut } = await readAtMost(response, maxBytes);
      return { url: current, contentType, bytes, cut };
    } catch {
      return { refused: signal.aborted ? "timed out" : "body failed" };
    }
  }
}

/** Reads at most `max` bytes and cancels the rest: a 10 MB page costs 512 KB of reading. */
async function readAtMost(response: Response, max: number) {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let cut = false;
  const reader = response.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = max - size;
    chunks.push(value.byteLength > room ? value.subarray(0, room) : value);
    size += Math.min(value.byteLength, room);
    if (size >= max) {
      cut = true;
      // Not awaited: cancelling resolves only once the runtime has torn the stream down.
      reader.cancel().catch(() => {});
      break;
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { bytes, cut };
}
