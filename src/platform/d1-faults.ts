/**
 * Fault injection for tests (FAULT_INJECTION=true only): a request carrying `X-Fault-D1` has one of
 * its D1 calls fail the way a restarting or overloaded D1 fails, before it reaches the database —
 * so a test proves what a transient failure does to a request (retried read, 503, nothing written)
 * without touching anything else. Per request, so parallel tests never see each other's faults.
 *
 * `X-Fault-D1: read:2` makes the request's first read call (a statement or an all-read batch) fail
 * its first two attempts, i.e. the call and its retry; `read:1` only the first attempt, which the
 * retry absorbs. `write:1` fails the first write call (not read-only); `any:N` (or `N`) the first
 * call of either kind. Only one call is hit, so parallel calls of a request cannot share the fault.
 */
export const FAULT_HEADER = "X-Fault-D1";

/** What D1 answered in the issue (#25): a session that could not get its commit token. */
export const INJECTED_MESSAGE = "D1_ERROR: Failed to get session commit token: internal error (injected by X-Fault-D1)";

export interface D1Faults {
  /** Called once per D1 call: how many of its attempts fail (0 for every call but the first one of the kind). */
  attemptsToFail(readOnly: boolean): number;
}

/** The faults a request asked for, or undefined (always, unless FAULT_INJECTION is "true"). */
export function d1FaultsFrom(env: { FAULT_INJECTION?: string }, header: string | undefined): D1Faults | undefined {
  if (env.FAULT_INJECTION !== "true" || !header) return undefined;
  const match = header.trim().match(/^(?:(read|write|any):)?(\d{1,2})$/);
  if (!match) return undefined;
  const kind = match[1] ?? "any";
  let armed = true;
  return {
    attemptsToFail(readOnly) {
      if (!armed || (kind === "read" && !readOnly) || (kind === "write" && readOnly)) return 0;
      armed = false;
      return Number(match[2]);
    },
  };
}

/** The error an injected fault throws: D1's own text, so it is classified like the real one. */
export const injectedFault = () => new Error(INJECTED_MESSAGE);
