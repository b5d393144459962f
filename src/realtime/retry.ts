/** Waits between attempts within a request: about 0.35 s in all before a queue takes over. */
const BACKOFF_MS = [25, 75, 250];

/**
 * Runs `call`, retrying after each backoff step; the last error when every attempt failed (the
 * caller then hands the work to a queue), undefined on success.
 */
export async function tryWithBackoff(call: () => Promise<unknown>): Promise<{ error: unknown } | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      await call();
      return undefined;
    } catch (error) {
      if (attempt >= BACKOFF_MS.length) return { error };
      await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS[attempt]));
    }
  }
}
