import { AppError, CountsPerAddress } from '@tandem/core';
import type { WatchLimits } from '../call/grpc-services.js';

/** Open Watch streams, in total and per client address, refused beyond the limits. */
export class StreamCounts {
  readonly #counts: CountsPerAddress;

  constructor(limits: WatchLimits) {
    this.#counts = new CountsPerAddress({ total: limits.maxStreams, perAddress: limits.maxStreamsPerIp });
  }

  /** Counts one more stream from `ip`, or refuses it (RESOURCE_EXHAUSTED); the returned function releases it once. */
  admit(ip: string): () => void {
    const release = this.#counts.admit(ip);
    if (!release) throw new AppError('TOO_MANY_REQUESTS', 'Too many open Watch streams.');
    return release;
  }
}
