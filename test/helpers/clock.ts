import { onTestFinished, vi } from "vitest";

/**
 * Freezes `Date` at the real current time for the rest of the test, so that time passes only when
 * the test says so (`advance`). The test, the Worker and its Durable Objects share one isolate
 * under @cloudflare/vitest-plugin, so the room's `Date.now()` reads this clock too: rules such as
 * "one typing event per user per 3 s" are tested at their exact boundaries, however slow the
 * machine. Timers stay real (timeouts still work); the rate-limiting binding runs in its own
 * service and keeps the real clock.
 */
export function freezeClock() {
  let now = Date.now();
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(now);
  onTestFinished(() => {
    vi.useRealTimers();
  });
  return {
    now: () => now,
    /** Moves the frozen clock forward by `ms`. */
    advance(ms: number) {
      now += ms;
      vi.setSystemTime(now);
    },
  };
}
