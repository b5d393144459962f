/**
 * Snowflake ids as 19-digit decimal strings:
 *   ((ms since 2025-01-01) << 22 | 13-bit node | 9-bit sequence) + 10^18
 * Every id has 19 digits, so text order is time order, and fits a signed 64-bit integer.
 * Strings, because D1 returns INTEGER as a JS number (exact only up to 2^53).
 *
 * Uniqueness across isolates and machines: each isolate mints under a node number leased from
 * the IdNodeRegistry Durable Object (src/platform/id-registry.ts), which never hands one number
 * to two live holders. Within a node, the sequence orders ids of one millisecond.
 */
const EPOCH_MS = 1_735_689_600_000n; // 2025-01-01T00:00:00Z
const OFFSET = 1_000_000_000_000_000_000n;
export const NODE_BITS = 13;
const SEQUENCE_MAX = 0x1ffn; // 9 bits: 512 ids per node per millisecond

/** Mints ids for one node number. */
export class IdGenerator {
  private lastMs = 0n;
  private sequence = 0n;

  constructor(readonly node: number) {
    if (!Number.isInteger(node) || node < 0 || node >= 2 ** NODE_BITS) throw new RangeError(`node ${node} out of range`);
  }

  next(now = Date.now()): string {
    let ms = BigInt(now) - EPOCH_MS;
    // Workers freeze Date.now() between I/O, so many ids share one millisecond; past 512 of them
    // we borrow the next millisecond instead of spinning (time would never advance).
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      this.sequence += 1n;
      if (this.sequence > SEQUENCE_MAX) {
        ms += 1n;
        this.sequence = 0n;
      }
    } else {
      this.sequence = 0n;
    }
    this.lastMs = ms;
    return ((ms << 22n) | (BigInt(this.node) << 9n) | this.sequence) + OFFSET + "";
  }
}

/** This isolate's lease: its generator and until when the node number is ours. */
let lease: { generator: IdGenerator; until: number } | undefined;

/** Installs a lease obtained from the registry (see ensureIdNode in id-registry.ts). */
export function useIdNode(node: number, until: number) {
  lease = lease?.generator.node === node ? { generator: lease.generator, until } : { generator: new IdGenerator(node), until };
}

/** The current lease, for renewal decisions. */
export const idLease = () => (lease ? { node: lease.generator.node, until: lease.until } : undefined);

/** A new id. Throws (a 500, never a duplicate) if this isolate holds no live node lease. */
export function newId(now = Date.now()): string {
  if (!lease || now >= lease.until) throw new Error("no live id node lease: call ensureIdNode first");
  return lease.generator.next(now);
}

/** True for a well-formed id (19 digits). Cheap guard before touching D1. */
export const isId = (value: string) => /^[1-9]\d{18}$/.test(value);

/** When an id was minted (ms since the epoch), from its snowflake bits. */
export const idTime = (id: string) => Number(((BigInt(id) - OFFSET) >> 22n) + EPOCH_MS);

/**
 * The smallest id minted at `ms` (node 0, sequence 0): every id minted earlier sorts below it, so
 * "messages older than t" is a range of the (channel_id, id) index instead of a scan.
 */
export function idFloorAt(ms: number): string {
  const since = BigInt(Math.max(0, Math.floor(ms))) - EPOCH_MS;
  return ((since > 0n ? since : 0n) << 22n) + OFFSET + "";
}
