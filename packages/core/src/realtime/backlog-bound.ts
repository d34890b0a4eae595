/** How far behind a realtime reader may fall before it is dropped. */
export interface BacklogLimits {
  /** Unsent bytes a reader may hold at any time. */
  readonly maxBufferedBytes: number;
  /** How long a reader may stay over `maxBufferedBytes`: time to take in a large change. */
  readonly slowReaderMs: number;
  /** Bytes a reader over the bound may fall further behind; past them it is dropped at once. */
  readonly maxBacklogBytes: number;
  /** Unsent frames that put a reader over the bound as well (unbounded when absent). */
  readonly maxBufferedFrames?: number;
}

/** Bounds for a transport whose soft bound is `maxBufferedBytes`: 30 s over it (a heartbeat), 16 times it further behind. */
export function backlogLimits(maxBufferedBytes: number): BacklogLimits {
  return { maxBufferedBytes, slowReaderMs: 30_000, maxBacklogBytes: 16 * maxBufferedBytes };
}

/**
 * Judges, before each frame written to one realtime reader, whether that reader keeps up,
 * from the bytes its connection still holds unsent.
 *
 * A reader that keeps up still holds a large frame unsent for a while after it is written:
 * a 6 MB change, then at once the next message (a replay's `resumed`, or the next
 * change), finds 6 MB unsent. Judged on bytes alone, such a reader was dropped, and could
 * never resume past that change. So a reader over the bound gets `slowReaderMs` to come
 * back under it; only one still over after that is behind. Meanwhile it may fall at most
 * `maxBacklogBytes` further behind than it was when it went over, which keeps the memory
 * one reader holds bounded: the bound, plus the frame that took it over, plus that.
 */
export class BacklogBound {
  readonly #limits: BacklogLimits;
  /** `maxBufferedFrames`, unbounded when absent: read once, as `admits` runs for every frame. */
  readonly #maxBufferedFrames: number;
  readonly #now: () => number;
  /** Since when, and with how many bytes unsent, the reader is over the bound; undefined while under it. */
  #over: { readonly since: number; readonly unsentBytes: number } | undefined;

  constructor(limits: BacklogLimits, now: () => number = () => performance.now()) {
    this.#limits = limits;
    this.#maxBufferedFrames = limits.maxBufferedFrames ?? Number.POSITIVE_INFINITY;
    this.#now = now;
  }

  /** Whether `unsentBytes` (in `unsentFrames`) are within the bound: no judging, no clock (a writer asking for room). */
  within(unsentBytes: number, unsentFrames = 0): boolean {
    return unsentBytes <= this.#limits.maxBufferedBytes && unsentFrames < this.#maxBufferedFrames;
  }

  /** Whether a reader that holds `unsentBytes` (in `unsentFrames`) unsent may be written to; false when it is behind (the caller drops it). */
  admits(unsentBytes: number, unsentFrames = 0): boolean {
    if (this.within(unsentBytes, unsentFrames)) {
      this.#over = undefined;
      return true;
    }
    // NB: the clock is read only while over the bound; the common case costs one comparison.
    const now = this.#now();
    this.#over ??= { since: now, unsentBytes };
    return (
      now - this.#over.since <= this.#limits.slowReaderMs &&
      unsentBytes - this.#over.unsentBytes <= this.#limits.maxBacklogBytes
    );
  }
}
