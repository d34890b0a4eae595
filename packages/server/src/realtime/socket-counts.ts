/** The caps on an endpoint's open sockets. */
export interface SocketCaps {
  readonly maxConnections: number;
  readonly maxConnectionsPerIp: number;
}

/**
 * The open sockets of one WebSocket endpoint, in all and per client address, against its
 * caps: checked before an upgrade (429 when full), counted once it opened.
 */
export class SocketCounts {
  readonly #caps: SocketCaps;
  readonly #perIp = new Map<string, number>();
  #total = 0;

  constructor(caps: SocketCaps) {
    this.#caps = caps;
  }

  /** True when no further socket may open, in all or from `ip`. */
  full(ip: string): boolean {
    return this.#total >= this.#caps.maxConnections || (this.#perIp.get(ip) ?? 0) >= this.#caps.maxConnectionsPerIp;
  }

  /** Counts a socket that opened from `ip`; answers what to call once it closed. */
  opened(ip: string): () => void {
    this.#total++;
    this.#perIp.set(ip, (this.#perIp.get(ip) ?? 0) + 1);
    return () => {
      this.#total--;
      const left = (this.#perIp.get(ip) ?? 1) - 1;
      if (left > 0) this.#perIp.set(ip, left);
      else this.#perIp.delete(ip);
    };
  }
}
