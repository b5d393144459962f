/**
 * What a channel's room keeps in memory for the sends it runs: the channel's next position, and
 * the posting verdicts it read lately, so a steady sender's message goes to the directory and its
 * shard at the same time (one round trip) instead of one after the other.
 *
 * Neither grants anything on its own. The directory's writes stay conditional on the right to post
 * (`canPostSql`), read again in the same transaction; a remembered verdict only decides whether to
 * try. Refusals are never remembered (an unblocked or re-added user may post at once), and a
 * member or channel event through this room forgets every verdict.
 */
import type { PostingVerdict } from "../../features/messages/messages.queries";
import type { SendRoom } from "./send";
import { Checkpoints } from "../../realtime/faults";
import type { SendKeys } from "./send-keys";

/** A remembered verdict is used for this long: past it, one read again before the next send. */
const VERDICT_MS = 60_000;
const MAX_VERDICTS = 1_000;

export class SendState implements SendRoom {
  /** The last position handed out; undefined until a send read the channel (each wake-up). */
  private position: number | undefined;
  private readonly verdicts = new Map<string, { verdict: PostingVerdict; until: number }>();
  /** Tests only: points where a send can be held (FAULT_INJECTION; see faults.ts). */
  readonly checkpoints = new Checkpoints();
  /** Messages being sent by this instance now: their own send announces them. */
  private readonly sending = new Set<string>();

  /**
   * `announced`: the room's event log, asked whether an event went out (src/room/event-log.ts);
   * `keys`: the room's idempotency keys (src/room/send/send-keys.ts).
   */
  constructor(
    private readonly announced: (eventId: string, since: number) => boolean | undefined,
    readonly keys: SendKeys,
  ) {}

  checkpoint(name: string) {
    return this.checkpoints.pass(name);
  }

  begin(messageId: string) {
    this.sending.add(messageId);
  }

  end(messageId: string) {
    this.sending.delete(messageId);
  }

  /**
   * True only when a stored message's event provably never went out: no send of this instance is
   * still on its way to announcing it, and the log, which would hold the event, does not.
   */
  unannounced(messageId: string, eventId: string, createdAt: number): boolean {
    return !this.sending.has(messageId) && this.announced(eventId, createdAt) === false;
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
   * handed out here never repeat; `committed` (the directory's last position, as read) seeds the
   * counter after a wake-up.
   */
  takePosition(committed: number): number {
    this.position = Math.max(this.position ?? 0, committed) + 1;
    return this.position;
  }

  giveBack(position: number): boolean {
    if (this.position !== position) return false;
    this.position = position - 1;
    return true;
  }

  /**
   * A position was found taken in the shard: a send of an earlier instance of this room stored its
   * message but not its directory write. Hand out positions after `stored` from now on.
   */
  skipTo(stored: number) {
    this.position = Math.max(this.position ?? 0, stored);
  }
}
