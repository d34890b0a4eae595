/** The caps on what one kind of long-lived connection may hold open. */
export interface ConnectionCaps {
  readonly total: number;
  readonly perAddress: number;
}

/**
 * Open connections of one kind (a WebSocket endpoint's sockets, gRPC Watch streams), in
 * all and per client address, held to their caps: `admit` counts one more, or answers
 * undefined when either cap is reached.
 */
export class CountsPerAddress {
  readonly #caps: ConnectionCaps;
  readonly #perAddress = new Map<string, number>();
  #total = 0;

  constructor(caps: ConnectionCaps) {
    this.#caps = caps;
  }

  /** True when no further connection may open, in all or from `address`. */
  full(address: string): boolean {
    return this.#total >= this.#caps.total || (this.#perAddress.get(address) ?? 0) >= this.#caps.perAddress;
  }

  /** Counts one more connection from `address`, or answers undefined when full; the answer releases it, once. */
  admit(address: string): (() => void) | undefined {
    if (this.full(address)) return undefined;
    this.#total++;
    this.#perAddress.set(address, (this.#perAddress.get(address) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      const left = (this.#perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.#perAddress.set(address, left);
      else this.#perAddress.delete(address);
    };
  }
}
