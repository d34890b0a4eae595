/**
 * Watches a connection for silence: after `intervalMs` without a message it sends a
 * ping; after twice that it declares the connection dead (a half-open TCP connection
 * never closes on its own).
 */
export class Heartbeat {
  readonly #intervalMs: number;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #now: () => number;
  #lastReceived: number;

  constructor(intervalMs: number, ping: () => void, dead: () => void, now: () => number = Date.now) {
    this.#intervalMs = intervalMs;
    this.#now = now;
    this.#lastReceived = now();
    this.#timer = setInterval(
      () => {
        const silence = now() - this.#lastReceived;
        if (silence > 2 * this.#intervalMs) {
          this.stop();
          dead();
        } else if (silence >= this.#intervalMs) ping();
      },
      Math.max(10, intervalMs / 2),
    );
    // In Node a heartbeat alone must not keep the process alive.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Notes that something arrived. */
  received(): void {
    this.#lastReceived = this.#now();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
