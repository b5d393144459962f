/**
 * Snowflake ids as 19-digit decimal strings:
 *   ((ms since 2025-01-01) << 22 | 10-bit node | 12-bit sequence) + 10^18
 * Every id has 19 digits, so text order is time order, and fits a signed 64-bit integer.
 * Strings, because D1 returns INTEGER as a JS number (exact only up to 2^53).
 */
const EPOCH_MS = 1_735_689_600_000n; // 2025-01-01T00:00:00Z
const OFFSET = 1_000_000_000_000_000_000n;
// Chosen on first use: Workers forbid random values in global scope.
let node: bigint | undefined;

let lastMs = 0n;
let sequence = 0n;

export function newId(now = Date.now()): string {
  let ms = BigInt(now) - EPOCH_MS;
  // Workers freeze Date.now() between I/O, so many ids share one millisecond; past 4096
  // of them we borrow the next millisecond instead of spinning (time would never advance).
  if (ms <= lastMs) {
    ms = lastMs;
    sequence += 1n;
    if (sequence > 0xfffn) {
      ms += 1n;
      sequence = 0n;
    }
  } else {
    sequence = 0n;
  }
  lastMs = ms;
  node ??= BigInt(crypto.getRandomValues(new Uint16Array(1))[0]! & 0x3ff);
  return ((ms << 22n) | (node << 12n) | sequence) + OFFSET + "";
}

/** True for a well-formed id (19 digits). Cheap guard before touching D1. */
export const isId = (value: string) => /^[1-9]\d{18}$/.test(value);
