import { type D1Faults, injectedFault } from "./d1-faults";
import { isReadOnlySql, withTransientRetry } from "./d1-transient";

/** D1 cost of one request, summed from every statement's `meta`. */
export interface D1Stats {
  queries: number;
  /**
   * Round trips the request waited for: a call (one statement, or one batch) that starts while no
   * other is in flight begins a new one; calls made in parallel with it share it.
   */
  roundTrips: number;
  /** Calls in flight now (to tell a new round trip from a parallel call). */
  inFlight: number;
  durationMs: number;
  rowsRead: number;
  rowsWritten: number;
}

const TARGET = Symbol("target");
/** Whether a proxied statement only reads (a batch of reads only may be retried). */
const READ_ONLY = Symbol("readOnly");

/** How every D1 call of one wrapped binding runs: counted, retried when transient and read-only, faults for tests. */
interface Runner {
  stats: D1Stats;
  faults?: D1Faults;
}

export const emptyStats = (): D1Stats => ({ queries: 0, roundTrips: 0, inFlight: 0, durationMs: 0, rowsRead: 0, rowsWritten: 0 });

/**
 * Benches only (`BENCH_D1_DELAY_MS`): every metered D1 call waits this long first, as a primary on
 * another continent would, so a bench can show which latencies move with D1's and which do not.
 */
let simulatedDistanceMs = 0;
export function simulateD1Distance(env: { BENCH_D1_DELAY_MS?: string }) {
  simulatedDistanceMs = Number(env.BENCH_D1_DELAY_MS ?? 0) || 0;
}

/**
 * Runs one D1 call, counting it as a round trip unless another call is already in flight. A
 * transient failure is retried once when the call only reads, else thrown as D1Unavailable
 * (src/platform/d1-transient.ts); a test's injected fault fails an attempt before it reaches D1.
 */
async function call<T>({ stats, faults }: Runner, readOnly: boolean, work: () => Promise<T>): Promise<T> {
  if (stats.inFlight === 0) stats.roundTrips += 1;
  stats.inFlight += 1;
  try {
    if (simulatedDistanceMs > 0) await new Promise((resolve) => setTimeout(resolve, simulatedDistanceMs));
    let failing = faults?.attemptsToFail(readOnly) ?? 0;
    return await withTransientRetry(readOnly, async () => {
      if (failing-- > 0) throw injectedFault(); // tests only: fails before reaching D1, so nothing is written
      return work();
    });
  } finally {
    stats.inFlight -= 1;
  }
}

/** Adds the cost of work done for the request elsewhere (a send in the channel's room), after the request's own. */
export function addStats(into: D1Stats, from: D1Stats) {
  into.queries += from.queries;
  into.roundTrips += from.roundTrips;
  into.durationMs += from.durationMs;
  into.rowsRead += from.rowsRead;
  into.rowsWritten += from.rowsWritten;
}

function record(stats: D1Stats, result: D1Result | D1Response) {
  const meta = result.meta;
  stats.queries += 1;
  stats.durationMs += meta?.duration ?? 0;
  stats.rowsRead += meta?.rows_read ?? 0;
  stats.rowsWritten += meta?.rows_written ?? 0;
}

function meterStatement(stmt: D1PreparedStatement, runner: Runner, readOnly: boolean): D1PreparedStatement {
  const { stats } = runner;
  return new Proxy(stmt, {
    get(target, prop) {
      if (prop === TARGET) return target;
      if (prop === READ_ONLY) return readOnly;
      switch (prop) {
        case "bind":
          return (...values: unknown[]) => meterStatement(target.bind(...values), runner, readOnly);
        case "all":
        case "run":
          return async () => {
            const result = await call(runner, readOnly, () => target[prop]());
            record(stats, result);
            return result;
          };
        case "first":
          return async (column?: string) => {
            const { results } = await (meterStatement(target, runner, readOnly).all as () => Promise<D1Result>)();
            const row = (results[0] ?? null) as Record<string, unknown> | null;
            return column === undefined || row === null ? row : row[column];
          };
        case "raw":
          // `raw()` drops `meta`, so it is served from `all()`. Object keys keep column order,
          // but a duplicated column name collapses: queries alias duplicates (Drizzle's own
          // db.batch() has the same constraint).
          return async (options?: { columnNames?: boolean }) => {
            const { results } = await (meterStatement(target, runner, readOnly).all as () => Promise<D1Result>)();
            const rows = (results as Record<string, unknown>[]).map((row) => Object.values(row));
            if (!options?.columnNames) return rows;
            return [Object.keys((results[0] ?? {}) as object), ...rows];
          };
        default: {
          const value = Reflect.get(target, prop, target);
          return typeof value === "function" ? value.bind(target) : value;
        }
      }
    },
  });
}

/**
 * Wraps a D1 binding so that every statement it runs adds its cost to `stats`, and transient
 * failures are retried (reads) or reported as D1Unavailable (writes). `faults`: tests only.
 */
export function meterD1(db: D1Database, stats: D1Stats, faults?: D1Faults): D1Database {
  const runner: Runner = { stats, faults };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => meterStatement(target.prepare(query), runner, isReadOnlySql(query));
      if (prop === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          const readOnly = statements.every((s) => (s as unknown as Record<symbol, boolean>)[READ_ONLY] === true);
          // Proxied statements are unwrapped by D1 itself through their target.
          const results = await call(runner, readOnly, () => target.batch(statements.map(unwrap)));
          for (const result of results) record(stats, result);
          return results;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function unwrap(stmt: D1PreparedStatement): D1PreparedStatement {
  return (stmt as unknown as Record<symbol, D1PreparedStatement>)[TARGET] ?? stmt;
}

/** `Server-Timing` value: D1 time, and rows read/written as separate metrics for benchmarks. */
export function serverTiming(stats: D1Stats, totalMs: number): string {
  return [
    `d1;dur=${stats.durationMs.toFixed(2)};desc="${stats.queries} queries"`,
    `d1-rows-read;desc="${stats.rowsRead}"`,
    `d1-rows-written;desc="${stats.rowsWritten}"`,
    `d1-round-trips;desc="${stats.roundTrips}"`,
    `total;dur=${totalMs.toFixed(1)}`,
  ].join(", ");
}
