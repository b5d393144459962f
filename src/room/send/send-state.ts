/**
 * What a channel's room keeps in memory for the sends it runs: the channel's next position, and
 * the posting verdicts it read lately, so a steady sender's message is accepted without a directory
 * read. Every rights change runs in this room and forgets every verdict (a member or channel event
 * through it), so a remembered verdict is never older than the last rights change; it also expires
 * after a minute. Refusals are never remembered (an unblocked or re-added user may post at once).
 */
import type { PostingVerdict } from "../../features/messages/messages.queries";
import type { SendRoom } from "./send";
import { Checkpoints } from "../../realtime/faults";
import type { WriteAhead } from "../write-ahead";
import type { SendKeys } from "./send-keys";
import type { SlowMode } from "./slow-mode";

/** A remembered verdict is used for this long: past it, one read again before the next send. */
const VERDICT_MS = 60_000;
const MAX_VERDICTS = 1_000;

export class SendState implements SendRoom {
  /** The last position handed out; undefined until a send read the channel (each wake-up). */
  private position: number | undefined;
  private readonly verdicts = new Map<string, { verdict: PostingVerdict; until: number }>();
  /** Tests only: points where a send can be held (FAULT_INJECTION; see faults.ts). */
  readonly checkpoints = new Checkpoints();

  /** `keys`: the room's idempotency keys (send-keys.ts); `wal`: its write-ahead step (../write-ahead.ts); `slowMode`: last sends (slow-mode.ts). */
  constructor(
    readonly keys: SendKeys,
    readonly wal: WriteAhead,
    readonly slowMode: SlowMode,
  ) {}

  checkpoint(name: string) {
    return this.checkpoints.pass(name);
  }

  verdict(poster: string): PostingVerdict | undefined {
    const known = this.verdicts.get(poster);
    if (known && known.until > Date.now()) return known.verdict;
    this.verdicts.delete(poster);
    return undefined;
  }

  remember(poster: string, verdict: PostingVerdict) {
    if (this.verdicts.size >= MAX_VERDICTS) this.verdicts.clear();
    this.verdicts.set(poster, { verdict, until: Date.now() + VERDICT_MS });
  }

  forget(poster: string) {
    this.verdicts.delete(poster);
  }

  /** Membership or the channel changed: every verdict is read again. */
  forgetVerdicts() {
    this.verdicts.clear();
  }

  /**
   * The next position. Sends run only in this room, and one object runs at a time, so positions
   * handed out here never repeat; after a wake-up the counter starts from the room's stored one (it
   * holds positions D1 may not have yet) or the directory's, whichever is higher.
   */
  positionKnown() {
    return this.position !== undefined;
  }

  seedPosition(stored: number) {
    this.position = Math.max(this.position ?? this.wal.storedPosition(), stored);
  }

  takePosition(committed: number): number {
    this.position = Math.max(this.position ?? this.wal.storedPosition(), committed) + 1;
    return this.position;
  }
}
