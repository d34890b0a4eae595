import { AppError } from '@tandem/core';
import type { WatchLimits } from '../call/grpc-services.js';

/** Open Watch streams, in total and per client address, refused beyond the limits. */
export class StreamCounts {
  readonly #limits: WatchLimits;
  readonly #perIp = new Map<string, number>();
  #total = 0;

  constructor(limits: WatchLimits) {
    this.#limits = limits;
  }

  /** Counts one more stream from `ip`, or refuses it (RESOURCE_EXHAUSTED); the returned function releases it once. */
  admit(ip: string): () => void {
    const fromIp = this.#perIp.get(ip) ?? 0;
    if (this.#total >= this.#limits.maxStreams || fromIp >= this.#limits.maxStreamsPerIp)
      throw new AppError('TOO_MANY_REQUESTS', 'Too many open Watch streams.');
    this.#total++;
    this.#perIp.set(ip, fromIp + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      const left = (this.#perIp.get(ip) ?? 1) - 1;
      if (left > 0) this.#perIp.set(ip, left);
      else this.#perIp.delete(ip);
    };
  }
}
