import { AppError, backlogLimits, CountsPerAddress, type BacklogLimits } from '@tandem/core';
import type { SseStream } from './sse-stream.js';

/** Bounds on open SSE streams. */
export interface SseLimits extends BacklogLimits {
  /** Open streams in total (429 beyond). */
  readonly maxConnections: number;
  /** Open streams per client IP (429 beyond). */
  readonly maxConnectionsPerIp: number;
  /** A heartbeat comment is written this often. */
  readonly heartbeatMs: number;
}

/** Tandem's default SSE bounds. */
export const defaultSseLimits: SseLimits = Object.freeze({
  maxConnections: 10_000,
  maxConnectionsPerIp: 500,
  heartbeatMs: 30_000,
  // Unsent output over 1 MiB for more than 30 s, or over 16 MiB besides the newest frame, drops a stream.
  ...backlogLimits(1024 * 1024),
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
  readonly #counts: CountsPerAddress;
  /** What gives each open stream's place back. */
  readonly #releases = new Map<string, () => void>();
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(limits: SseLimits) {
    this.#limits = limits;
    this.#counts = new CountsPerAddress({ total: limits.maxConnections, perAddress: limits.maxConnectionsPerIp });
  }

  get size(): number {
    return this.#streams.size;
  }

  /** Throws 429 when another stream from this IP would pass a bound. */
  assertRoom(ip: string): void {
    if (this.#counts.full(ip)) throw tooManyStreams();
  }

  add(clientId: string, ip: string, stream: SseStream): void {
    const release = this.#counts.admit(ip);
    if (!release) throw tooManyStreams();
    this.#releases.set(clientId, release);
    this.#streams.set(clientId, stream);
    this.#heartbeat ??= setInterval(() => this.#beat(), this.#limits.heartbeatMs).unref();
  }

  get(clientId: string): SseStream | undefined {
    return this.#streams.get(clientId);
  }

  remove(clientId: string): void {
    if (!this.#streams.delete(clientId)) return;
    this.#releases.get(clientId)?.();
    this.#releases.delete(clientId);
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

function tooManyStreams(): AppError {
  return new AppError('TOO_MANY_REQUESTS', 'Too many realtime connections.');
}
