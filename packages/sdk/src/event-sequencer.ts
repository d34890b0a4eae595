import type { ServerMessage } from '@tandem/protocol';
import type { RealtimeSubscription } from './realtime-subscription.js';

/** The messages that carry a change for one subscription. */
export type ChangeMessage = Extract<ServerMessage, { type: 'event' } | { type: 'leave' }>;

/**
 * Delivers change messages to their subscriptions exactly once and in `seq` order
 * across reconnects. While a resume is under way every change is held back; when the
 * server says the replay is complete, the held changes go out sorted by `seq`, and
 * anything at or below a subscription's last delivered `seq` is dropped as a
 * duplicate. `lastSeq` is the newest seq delivered (or confirmed by the server), the
 * value to resume from.
 */
export class EventSequencer {
  readonly #lookup: (subId: string) => RealtimeSubscription | undefined;
  readonly #onError: (error: unknown) => void;
  #held: ChangeMessage[] | undefined;
  lastSeq: number | undefined;

  constructor(
    lookup: (subId: string) => RealtimeSubscription | undefined,
    onError: (error: unknown) => void = console.error,
  ) {
    this.#lookup = lookup;
    this.#onError = onError;
  }

  /** True between beginResume and the server's `resumed` or `reset`. */
  get resuming(): boolean {
    return this.#held !== undefined;
  }

  /** Takes a change from the socket: delivered now, or held while resuming. */
  push(message: ChangeMessage): void {
    if (this.#held) this.#held.push(message);
    else this.#deliver(message);
  }

  /** Starts holding changes back: a reconnect is about to re-subscribe and resume. */
  beginResume(): void {
    this.#held = [];
  }

  /** The replay is complete up to `seq`: delivers what was held, in order. */
  endResume(seq: number): void {
    this.#flush();
    this.lastSeq = Math.max(this.lastSeq ?? seq, seq);
  }

  /**
   * The server cannot replay: every subscription's onReset runs (the app refetches),
   * then changes after `seq` continue. NB: `seq` replaces the place, also when it is
   * below it: a server restored from a backup (or on a new database) numbers its next
   * changes from its own head, and a place kept from before would drop them as seen.
   */
  reset(seq: number, subscriptions: Iterable<RealtimeSubscription>): void {
    for (const subscription of subscriptions) {
      subscription.lastSeq = seq;
      this.#call(() => subscription.onReset?.());
    }
    this.lastSeq = seq;
    this.#flush();
  }

  /** The socket closed mid-resume: held changes are dropped (the next resume replays them). */
  abortResume(): void {
    this.#held = undefined;
  }

  #flush(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    // Array.prototype.sort is stable: changes of one seq keep their arrival order.
    for (const message of held.sort((a, b) => a.seq - b.seq)) this.#deliver(message);
  }

  #deliver(message: ChangeMessage): void {
    const subscription = this.#lookup(message.sub);
    if (!subscription || message.seq <= subscription.lastSeq) return;
    subscription.lastSeq = message.seq;
    this.lastSeq = Math.max(this.lastSeq ?? message.seq, message.seq);
    const event =
      message.type === 'leave'
        ? { action: 'leave' as const, id: message.id, seq: message.seq }
        : { action: message.action, record: message.record, seq: message.seq };
    this.#call(() => subscription.callback(event));
  }

  #call(listener: () => void): void {
    try {
      listener();
    } catch (error) {
      // One failing callback must not stop the others or the stream.
      this.#onError(error);
    }
  }
}
