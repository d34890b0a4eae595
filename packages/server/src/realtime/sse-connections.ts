import { AppError } from '@tandem/core';
import type { SseStream } from './sse-stream.js';

/** Bounds on open SSE streams. */
export interface SseLimits {
  /** Open streams in total (429 beyond). */
  readonly maxConnections: number;
  /** Open streams per client IP (429 beyond). */
  readonly maxConnectionsPerIp: number;
  /** A heartbeat comment is written this often. */
  readonly heartbeatMs: number;
  /** A stream whose unsent output passes this many bytes is dropped. */
  readonly maxBufferedBytes: number;
}

/** Tandem's default SSE bounds. */
export const defaultSseLimits: SseLimits = Object.freeze({
  maxConnections: 10_000,
  maxConnectionsPerIp: 500,
  heartbeatMs: 30_000,
  maxBufferedBytes: 1024 * 1024,
});

/** The limits with every absent (or undefined) value taken from the defaults, frozen. */
export function resolveSseLimits(limits: Partial<SseLimits> = {}): SseLimits {
  const given = Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
  return Object.freeze({ ...defaultSseLimits, ...given });
}

/**
 * The open SSE streams by client id, counted in total and per IP, with one shared
 * heartbeat timer for all of them.
 */
export class SseConnections {
  readonly #limits: SseLimits;
  readonly #streams = new Map<string, SseStream>();
  readonly #perIp = new Map<string, number>();
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(limits: SseLimits) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#streams.size;
  }

  /** Throws 429 when another stream from this IP would pass a bound. */
  assertRoom(ip: string): void {
    if (
      this.#streams.size >= this.#limits.maxConnections ||
      (this.#perIp.get(ip) ?? 0) >= this.#limits.maxConnectionsPerIp
    ) {
      throw new AppError('TOO_MANY_REQUESTS', 'Too many realtime connections.');
    }
  }

  add(clientId: string, ip: string, stream: SseStream): void {
    this.#streams.set(clientId, stream);
    this.#perIp.set(ip, (this.#perIp.get(ip) ?? 0) + 1);
    this.#heartbeat ??= setInterval(() => this.#beat(), this.#limits.heartbeatMs).unref();
  }

  get(clientId: string): SseStream | undefined {
    return this.#streams.get(clientId);
  }

  remove(clientId: string, ip: string): void {
    if (!this.#streams.delete(clientId)) return;
    const count = (this.#perIp.get(ip) ?? 1) - 1;
    if (count > 0) this.#perIp.set(ip, count);
    else this.#perIp.delete(ip);
    if (this.#streams.size === 0) this.#stopHeartbeat();
  }

  /** Ends every stream (the server is closing). */
  endAll(): void {
    for (const stream of this.#streams.values()) stream.end();
    this.#stopHeartbeat();
  }

  #beat(): void {
    for (const stream of this.#streams.values()) stream.heartbeat();
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}
