import type { FlowEvent } from '@tandem/protocol';

/** Where a watcher writes: an SSE response, or a test's stand-in. */
export interface FlowSink {
  /** Bytes written but not yet taken by the peer (Node's `writableLength`). */
  readonly writableLength: number;
  write(chunk: string): void;
}

/** A watcher's bounds; see docs/admin.md. */
export interface FlowWatcherLimits {
  /** Events held between flushes; past it the oldest are dropped (and counted). */
  readonly capacity: number;
  /** Above this many unsent bytes at the sink, a flush sends nothing and waits. */
  readonly maxBufferedBytes: number;
  /** How often held events are sent, in one frame. */
  readonly flushMs: number;
}

/** Tandem's defaults: 500 events, 256 KiB unsent, a frame every 100 ms. */
export const defaultFlowWatcherLimits: FlowWatcherLimits = Object.freeze({
  capacity: 500,
  maxBufferedBytes: 256 * 1024,
  flushMs: 100,
});

/**
 * One Flow page's stream, with bounded buffering: events wait in a queue of at most
 * `capacity` and go out as one SSE frame per `flushMs`. A browser that reads slower than
 * events come leaves bytes unsent at the socket; above `maxBufferedBytes` nothing more is
 * written and the queue keeps only the newest events. Whatever is dropped is counted and
 * reported in the next frame. Pushing never waits and never grows memory without bound,
 * so a slow page costs the server nothing but this queue.
 */
export class FlowWatcher {
  readonly #sink: FlowSink;
  readonly #limits: FlowWatcherLimits;
  #queue: FlowEvent[] = [];
  #dropped = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(sink: FlowSink, limits: FlowWatcherLimits = defaultFlowWatcherLimits) {
    this.#sink = sink;
    this.#limits = limits;
  }

  /** Events dropped so far and not yet reported. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Events waiting for the next frame. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Counts an event the hub did not build (past its rate): reported with the next frame. */
  countDropped(): void {
    if (this.#closed) return;
    this.#dropped++;
    this.#timer ??= setTimeout(() => this.flush(), this.#limits.flushMs).unref();
  }

  /** Queues an event; the oldest is dropped when the queue is full. */
  push(event: FlowEvent): void {
    if (this.#closed) return;
    if (this.#queue.length >= this.#limits.capacity) {
      this.#queue.shift();
      this.#dropped++;
    }
    this.#queue.push(event);
    this.#timer ??= setTimeout(() => this.flush(), this.#limits.flushMs).unref();
  }

  /** Sends what is queued as one frame, unless the sink is still full; then tries again later. */
  flush(): void {
    this.#timer = undefined;
    if (this.#closed || (this.#queue.length === 0 && this.#dropped === 0)) return;
    if (this.#sink.writableLength > this.#limits.maxBufferedBytes) {
      this.#timer = setTimeout(() => this.flush(), this.#limits.flushMs).unref();
      return;
    }
    const frame = { events: this.#queue, dropped: this.#dropped };
    this.#queue = [];
    this.#dropped = 0;
    this.#sink.write(`event: flow\ndata: ${JSON.stringify(frame)}\n\n`);
  }

  /** Stops sending; queued events are let go. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
  }
}
