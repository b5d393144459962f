/**
 * What one socket, and one user, may ask of a room (DESIGN §6, numbers in the README):
 * - every client frame spends its socket's budget (1,000 tokens, refilled 100 a second; one token per
 *   16 KiB begun); past it the socket is closed with 1008 — a flood costs the room a bounded number
 *   of cheap answers (a stream of 1 MiB frames: about 16);
 * - a frame over 64 KiB is answered PAYLOAD_TOO_LARGE without being parsed;
 * - at most 100 frames of one socket wait for their turn (a send awaiting D1 holds the next);
 * - socket sends spend a per-user token bucket kept in the room (600, refilled 10 a second: the REST
 *   limit's 600 a minute), exact and without a call to the rate-limit service on the send's path;
 * - at most 10 sockets per user per room.
 */
export const MAX_FRAME_BYTES = 64 * 1024;
export const FRAME_BUDGET = 1000;
export const FRAME_REFILL_PER_S = 100;
export const MAX_QUEUED_FRAMES = 100;
export const SEND_BUDGET = 600;
export const SEND_REFILL_PER_S = 10;
export const MAX_SOCKETS_PER_USER = 10;

/** A token bucket: `capacity` tokens, refilled continuously at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private at = Date.now();

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
  ) {
    this.tokens = capacity;
  }

  /** Takes one token; false when none is left. */
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Seconds until the next token. */
  retryAfter(): number {
    return Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond));
  }
}

/** Buckets by key, forgotten when full again (so idle users cost nothing); in memory: a wake-up starts afresh. */
export class Buckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
  ) {}

  get(key: string): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size > 10_000) this.buckets.clear();
      this.buckets.set(key, (bucket = new TokenBucket(this.capacity, this.perSecond)));
    }
    return bucket;
  }
}
