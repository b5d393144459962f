/**
 * The order of a room's changes. The room awaits D1 in the middle of a change, and the runtime
 * delivers other calls meanwhile, so without this two changes could interleave: a send could be
 * checked before a removal and stored after it, a reaction could be announced before the message it
 * names. Three rules:
 *
 * - a **rights change** (membership, role, archive/broadcast, block, deletion) runs alone: it waits
 *   for every change under way, and every later change waits for it, so a send, an edit or a socket
 *   upgrade is ordered either before it or after it, never across it;
 * - every other change runs **alongside** the others (sends of one channel do not queue behind one
 *   another's D1 round trips);
 * - changes that name **the same key** (a message id, a sender's idempotency key) run one at a time,
 *   in arrival order, so of two identical changes the second sees what the first did.
 *
 * Waiters are served in arrival order: a rights change is not starved by a stream of sends.
 */
type Waiter = { alone: boolean; start: () => void };

export class ChangeOrder {
  private alongside = 0;
  private aloneRunning = false;
  private readonly waiting: Waiter[] = [];
  private readonly keyed = new Map<string, Promise<unknown>>();
  private behindKeys = 0;

  /** Runs a rights change: nothing else in the room runs until it is done. */
  alone<T>(work: () => Promise<T>): Promise<T> {
    return this.run(true, work);
  }

  /**
   * Runs a change alongside others; with `keys`, after every earlier change naming one of them. With
   * `join` false it waits for those but later changes do not wait for it (a read cursor: many readers
   * of one message need not queue behind each other).
   */
  async alongsideOthers<T>(work: () => Promise<T>, keys: string[] = [], join = true): Promise<T> {
    if (!keys.length) return this.run(false, work);
    // The key chains are joined before the lock is taken: a later change with the same key then
    // waits for this one however the lock's queue orders the two.
    const before = keys.map((k) => this.keyed.get(k)).filter((p): p is Promise<unknown> => p !== undefined);
    if (before.length) this.behindKeys++;
    const done = Promise.allSettled(before).then(() => {
      if (before.length) this.behindKeys--;
      return this.run(false, work);
    });
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    if (!join) return done;
    for (const k of keys) this.keyed.set(k, settled);
    settled.then(() => {
      for (const k of keys) if (this.keyed.get(k) === settled) this.keyed.delete(k);
    });
    return done;
  }

  /** Changes waiting for their turn: rights changes, and changes behind an earlier one with their key (tests watch a race reach the room). */
  waitingNow(): { alone: number; behindKeys: number } {
    return { alone: this.waiting.filter((w) => w.alone).length, behindKeys: this.behindKeys };
  }

  private async run<T>(alone: boolean, work: () => Promise<T>): Promise<T> {
    await this.acquire(alone);
    try {
      return await work();
    } finally {
      if (alone) this.aloneRunning = false;
      else this.alongside--;
      this.admit();
    }
  }

  private acquire(alone: boolean): Promise<void> {
    if (!this.waiting.length && this.free(alone)) {
      this.take(alone);
      return Promise.resolve();
    }
    return new Promise((start) => this.waiting.push({ alone, start }));
  }

  private free(alone: boolean) {
    return !this.aloneRunning && (!alone || this.alongside === 0);
  }

  private take(alone: boolean) {
    if (alone) this.aloneRunning = true;
    else this.alongside++;
  }

  /** Starts waiters in arrival order, as many as may run together. */
  private admit() {
    while (this.waiting.length && this.free(this.waiting[0]!.alone)) {
      const next = this.waiting.shift()!;
      this.take(next.alone);
      next.start();
    }
  }
}
