/**
 * A shared allowance of bytes that guests' and users' request bodies and WebSocket
 * messages may hold at once, from the moment they are read until they are answered.
 * Per-caller limits bound one request; this bounds all of them together, so a crowd of
 * callers sending their largest bodies at once cannot grow the process without end.
 * What does not fit waits its turn (first come, first served) and is not read meanwhile,
 * so the sender is slowed by TCP backpressure instead of refused.
 */
export class BodyBudget {
  /** The bytes that may be held at once. */
  readonly capacity: number;
  #used = 0;
  readonly #waiting: Waiter[] = [];

  constructor(capacity: number) {
    if (!(capacity > 0)) throw new RangeError('a body budget needs a positive capacity');
    this.capacity = capacity;
  }

  /** The bytes held now. */
  get used(): number {
    return this.#used;
  }

  /** How many reservations are waiting for room. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Reserves `bytes` (at most the whole capacity, so every reservation fits once the
   * budget is empty): at once when they fit and nobody waits before, otherwise as soon
   * as releases make room. `release()` gives the bytes back, or leaves the queue when
   * they were never granted; calling it again does nothing.
   * @example const held = budget.reserve(length); if (await held.granted) try { … } finally { held.release(); }
   */
  reserve(bytes: number): Reservation {
    const waiter: Waiter = {
      bytes: Math.min(Math.max(bytes, 0), this.capacity),
      state: 'waiting',
      settle: () => undefined,
    };
    // The common case, room and nobody waiting: granted at once, without a promise of its own.
    if (this.#waiting.length === 0 && this.#used + waiter.bytes <= this.capacity) {
      this.#used += waiter.bytes;
      waiter.state = 'granted';
      return { granted: GRANTED, isGranted: () => waiter.state === 'granted', release: () => this.#release(waiter) };
    }
    const granted = new Promise<boolean>((resolve) => (waiter.settle = resolve));
    this.#waiting.push(waiter);
    this.#grantWhatFits();
    return { granted, isGranted: () => waiter.state === 'granted', release: () => this.#release(waiter) };
  }

  #release(waiter: Waiter): void {
    if (waiter.state === 'granted') this.#used -= waiter.bytes;
    else if (waiter.state === 'waiting') this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
    waiter.state = 'released';
    waiter.settle(false);
    this.#grantWhatFits();
  }

  #grantWhatFits(): void {
    while (this.#waiting.length > 0 && this.#used + this.#waiting[0]!.bytes <= this.capacity) {
      const next = this.#waiting.shift()!;
      this.#used += next.bytes;
      next.state = 'granted';
      next.settle(true);
    }
  }
}

const GRANTED = Promise.resolve(true);

/** Bytes reserved in a BodyBudget, or waiting to be. */
export interface Reservation {
  /** Resolves true once the bytes are held, or false when released before that. */
  readonly granted: Promise<boolean>;
  /** True once the bytes are held (and not yet released). */
  isGranted(): boolean;
  /** Gives the bytes back (or stops waiting for them); idempotent. */
  release(): void;
}

interface Waiter {
  readonly bytes: number;
  state: 'waiting' | 'granted' | 'released';
  settle: (granted: boolean) => void;
}
