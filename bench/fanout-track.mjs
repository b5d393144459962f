// Delivery tracking for bench/fanout.mjs. Each body carries "@@run.sender.index@@", found in a
// frame's raw text (no JSON.parse per frame on the subscribers' hot path).
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const TOKEN = /@@(\d+)\.(\d+)\.(\d+)@@/;
const runs = new Map();
export const bodyOf = (run, sender, i) => `fanout @@${run}.${sender}.${i}@@`;
export const subscriberText = (k) => (text) => {
  const m = TOKEN.exec(text);
  if (m) runs.get(+m[1])?.arrive(k, +m[2], +m[3]);
};

/** One run (path × phase): who got what, in which order, and when each message reached its last subscriber. */
export function newRun(subs, senders, per) {
  const total = senders * per;
  const seen = new Uint8Array(subs * total);
  const lastIndex = new Int32Array(subs * senders).fill(-1);
  const left = new Int32Array(total).fill(subs);
  const doneAt = new Float64Array(total);
  const state = new Uint8Array(total); // 0 not sent yet, 1 sent, 2 send failed
  const waiters = new Map();
  let finished = 0;
  let onAll;
  const finish = () => ++finished === total && onAll?.();
  const run = {
    id: runs.size + 1, subs, total, dups: 0, reordered: 0, errors: [], lastAt: 0, lastArrival: 0,
    arrive(k, s, i) {
      const now = performance.now();
      run.lastArrival = now;
      if (k >= subs || s >= senders || i >= per) return;
      const m = s * per + i;
      if (seen[k * total + m]++) return void run.dups++;
      if (i < lastIndex[k * senders + s]) run.reordered++;
      else lastIndex[k * senders + s] = i;
      if (--left[m] === 0) {
        doneAt[m] = run.lastAt = now;
        waiters.get(m)?.(now);
        if (state[m] !== 2) finish();
      }
    },
    sent: (s, i) => (state[s * per + i] = 1),
    failed(s, i, err) {
      const m = s * per + i;
      run.errors.push(err.message);
      state[m] = 2;
      if (left[m] > 0) finish();
    },
    /** The time message (s, i) reached its last subscriber, NaN after `ms` without. */
    delivered(s, i, ms) {
      const m = s * per + i;
      if (left[m] === 0) return Promise.resolve(doneAt[m]);
      return new Promise((resolve) => {
        const timer = setTimeout(() => (waiters.delete(m), resolve(NaN)), ms);
        waiters.set(m, (at) => (clearTimeout(timer), waiters.delete(m), resolve(at)));
      });
    },
    /** Resolves once every message is delivered everywhere (or failed), or nothing arrived for `quiet` ms. */
    async all(quiet) {
      if (finished === total) return;
      const all = new Promise((resolve) => (onAll = resolve));
      while (finished < total && performance.now() - Math.max(run.lastArrival, run.startedAt) < quiet) await Promise.race([all, sleep(500)]);
    },
    /** Sent messages some subscriber never got. */
    lost: () => left.reduce((sum, n, m) => sum + (state[m] === 1 ? n : 0), 0),
    deliveries: () => seen.reduce((sum, x) => sum + (x > 0 ? 1 : 0), 0),
    sentCount: () => state.reduce((sum, x) => sum + (x === 1 ? 1 : 0), 0),
    startedAt: performance.now(),
  };
  runs.set(run.id, run);
  return run;
}
