import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CallWatcher, ChangeEvent, FanoutObserver, RealtimeBroker, WatchedCall } from '@tandem/core';
import type { RequestTracer } from '../http/request-trace.js';
import type { ResponseMeta } from '../http/response-meta.js';
import type { FlowChangeEvent, FlowEvent } from '@tandem/protocol';
import { toCallEvent, toChangeEvent, toRequestEvent } from './flow-events.js';
import type { FlowWatcher } from './flow-watcher.js';

/** How long a change collects its deliveries before it is sent (visibility checks may read the store). */
const FANOUT_WINDOW_MS = 250;
/** Changes collecting deliveries at once; past it the oldest is sent early. */
const MAX_PENDING_CHANGES = 1000;
/**
 * Requests traced per window of WINDOW_MS (2,000 a second): more than a person can
 * follow, and what the stream carries. Past it, a request is only counted as dropped:
 * it builds no trace and no event, so a watched server under load pays for 2,000
 * events a second, not for one per request.
 */
const ADMITTED_PER_WINDOW = 200;
const WINDOW_MS = 100;

/**
 * The Flow stream's hub: the watchers (open Flow pages) and the switch the edge reads.
 * With no watcher, `watching` is false, requests carry no trace, the broker has no
 * observer, and nothing here runs. The first watcher turns it all on; the last one
 * leaving turns it off again.
 */
export class FlowHub implements RequestTracer, FanoutObserver, CallWatcher {
  watching = false;
  readonly #watchers = new Set<FlowWatcher>();
  readonly #broker: RealtimeBroker | undefined;
  /** Sockets seen while watched, to tell a new connection from a reused one. */
  #sockets = new WeakSet<object>();
  readonly #changes = new Map<number, { event: FlowChangeEvent; delivered: Record<string, number> }>();
  #windowStart = 0;
  #admitted = 0;

  constructor(broker?: RealtimeBroker) {
    this.#broker = broker;
  }

  /** Open Flow pages. */
  get size(): number {
    return this.#watchers.size;
  }

  add(watcher: FlowWatcher): void {
    this.#watchers.add(watcher);
    this.watching = true;
    this.#broker?.observe(this);
  }

  remove(watcher: FlowWatcher): void {
    this.#watchers.delete(watcher);
    if (this.#watchers.size > 0) return;
    this.watching = false;
    this.#broker?.observe(undefined);
    this.#sockets = new WeakSet();
  }

  admit(): boolean {
    const now = performance.now();
    if (now - this.#windowStart >= WINDOW_MS) {
      this.#windowStart = now;
      this.#admitted = 0;
    }
    if (this.#admitted < ADMITTED_PER_WINDOW) {
      this.#admitted++;
      return true;
    }
    for (const watcher of this.#watchers) watcher.countDropped();
    return false;
  }

  /** Hands an event to every watcher (each queues it within its own bounds). */
  publish(event: FlowEvent): void {
    for (const watcher of this.#watchers) watcher.push(event);
  }

  finish(request: FastifyRequest, reply: FastifyReply, meta: ResponseMeta, payload: unknown): void {
    const socket = request.raw.socket;
    const reused = socket !== null && this.#sockets.has(socket);
    if (socket && !reused) this.#sockets.add(socket);
    this.publish(toRequestEvent(request, reply, meta, payload, reused));
  }

  /** A call over the WebSocket or gRPC (HTTP requests come through `finish`). */
  called(call: WatchedCall): void {
    this.publish(toCallEvent(call));
  }

  change(event: ChangeEvent, clients: number): void {
    if (this.#changes.size >= MAX_PENDING_CHANGES) this.#send(this.#changes.keys().next().value!);
    this.#changes.set(event.seq, { event: toChangeEvent(event, clients), delivered: {} });
    setTimeout(() => this.#send(event.seq), FANOUT_WINDOW_MS).unref();
  }

  delivered(seq: number, transport: string): void {
    const pending = this.#changes.get(seq);
    if (pending) pending.delivered[transport] = (pending.delivered[transport] ?? 0) + 1;
  }

  #send(seq: number): void {
    const pending = this.#changes.get(seq);
    if (!pending) return;
    this.#changes.delete(seq);
    this.publish({ ...pending.event, delivered: pending.delivered });
  }
}
