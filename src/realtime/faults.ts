/**
 * Fault injection for tests (FAULT_INJECTION=true only): a room told to fail its next `n` state-
 * changing calls fails them as an unreachable or overloaded room would, so delivery guarantees can be
 * proven. The counter lives in the room's storage, so it survives eviction.
 */
export function failNext(sql: SqlStorage, n: number) {
  sql.exec("INSERT INTO meta (key, value) VALUES ('fail_next', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", n);
}

/**
 * A call's injected failure, returned instead of thrown: workerd logs every exception that leaves a
 * Durable Object method as "uncaught exception" (with its stack) even when the caller catches it,
 * so a test run that injects faults on purpose would look broken. The caller turns it into the
 * error the unreachable object would have caused (`raiseInjectedFault`), so retries, queue
 * hand-offs and dead letters run exactly as they do for a real failure.
 */
export interface InjectedFault {
  injected_fault: string;
}

/** The failure to return when a test asked this object to fail its next calls (else undefined). */
export function injectedFault(sql: SqlStorage, what: string): InjectedFault | undefined {
  const left = sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'fail_next'").toArray()[0]?.value ?? 0;
  if (left <= 0) return undefined;
  sql.exec("UPDATE meta SET value = value - 1 WHERE key = 'fail_next'");
  return { injected_fault: `${what} unavailable` };
}

/** On the caller's side: an injected failure becomes the error a failed call would throw. */
export function raiseInjectedFault<T>(answer: T | InjectedFault): T {
  if (typeof answer === "object" && answer !== null && "injected_fault" in answer) throw new Error(`injected fault: ${answer.injected_fault}`);
  return answer;
}

/**
 * Pauses for tests (FAULT_INJECTION=true only): a test holds the room at a named point of a change
 * (`send:checked`, `reply:checked`, `socket:admitted`), learns when a change reached it, starts a
 * racing request, and releases it — so a race is run on purpose instead of hoped for. In memory:
 * a held change keeps the object alive. With no hold set, a checkpoint costs one Map lookup.
 */
export class Checkpoints {
  private readonly holds = new Map<string, { arrive: () => void; arrived: Promise<void>; release: () => void; released: Promise<void>; taken: boolean }>();

  hold(name: string) {
    let arrive!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((r) => (arrive = r));
    const released = new Promise<void>((r) => (release = r));
    this.holds.set(name, { arrive, arrived, release, released, taken: false });
  }

  /** Resolves once a change reached the point held as `name`. */
  reached(name: string): Promise<void> {
    return this.holds.get(name)?.arrived ?? Promise.resolve();
  }

  release(name: string) {
    this.holds.get(name)?.release();
    this.holds.delete(name);
  }

  /** Where a change passes `name`: waits there while a test holds it (only the first change to arrive). */
  async pass(name: string) {
    const hold = this.holds.get(name);
    if (!hold) return;
    if (hold.taken) return; // one change is held; later ones pass
    hold.taken = true;
    hold.arrive();
    await hold.released;
  }
}
