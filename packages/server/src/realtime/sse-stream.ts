import type { ServerResponse } from 'node:http';
import { BacklogBound, type BacklogLimits, type Delivery, type RealtimeSink } from '@tandem/core';
import type { SseSubscription } from './sse-subscriptions.js';

/**
 * One PocketBase-style event stream: the broker's sink for one client. It writes
 * `id:<clientId>\nevent:<name>\ndata:<json>\n\n` frames, where the event name is the
 * subscription string exactly as the client submitted it (the SDK listens under that
 * key). `leave` deliveries have no PocketBase equivalent and are not sent.
 */
export class SseStream implements RealtimeSink {
  readonly transport = 'sse';
  readonly #response: ServerResponse;
  readonly #backlog: BacklogBound;
  /** Broker subscription id → the submitted string. */
  #names = new Map<string, string>();
  #clientId = '';
  #ended = false;

  constructor(response: ServerResponse, limits: BacklogLimits, now?: () => number) {
    this.#response = response;
    this.#backlog = new BacklogBound(limits, now);
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Writes the first frame, `PB_CONNECT`, which hands the client its id. */
  open(clientId: string): void {
    this.#clientId = clientId;
    this.#write(`id:${clientId}\nevent:PB_CONNECT\ndata:${JSON.stringify({ clientId })}\n\n`);
  }

  /** Replaces the names frames are sent under (the POST replaced the subscription set). */
  setNames(subscriptions: ReadonlyMap<string, SseSubscription>): void {
    this.#names = new Map([...subscriptions].map(([id, { name }]) => [id, name]));
  }

  send(delivery: Delivery): void {
    if (delivery.kind !== 'event') return;
    const name = this.#names.get(delivery.sub);
    if (name === undefined) return;
    // The broker serialized the record once for every subscriber with the same view.
    this.#write(
      `id:${this.#clientId}\nevent:${name}\ndata:{"action":"${delivery.action}","record":${delivery.recordJson}}\n\n`,
    );
  }

  /**
   * A message on a topic without record changes (`@oauth2`), sent once under the name
   * the client subscribed with; the subscription is then dropped, as PocketBase does, so
   * a replayed redirect finds nobody waiting.
   */
  message(topic: string, data: unknown): boolean {
    for (const [id, name] of this.#names) {
      if (name !== topic && !name.startsWith(`${topic}?`)) continue;
      this.#names.delete(id);
      this.#write(`id:${this.#clientId}\nevent:${name}\ndata:${JSON.stringify(data)}\n\n`);
      return !this.#ended;
    }
    return false;
  }

  /** A message on an application's own topic, under every name subscribed to it (kept, unlike `message`). */
  publish(topic: string, data: unknown): boolean {
    let sent = false;
    const json = JSON.stringify(data ?? null);
    for (const name of this.#names.values()) {
      if (name !== topic && !name.startsWith(`${topic}?`)) continue;
      this.#write(`id:${this.#clientId}\nevent:${name}\ndata:${json}\n\n`);
      sent = true;
    }
    return sent && !this.#ended;
  }

  /** Credentials were revoked: the stream ends, and the SDK reconnects as what its auth store then holds. */
  principalChanged(): void {
    this.end();
  }

  /** The server drops the connection (the SDK reconnects). */
  disconnect(): void {
    this.end();
  }

  /** A comment line, so proxies and load balancers see traffic on an idle stream. */
  heartbeat(): void {
    this.#write(':\n\n');
  }

  /** Ends the stream cleanly. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#response.end();
  }

  #write(frame: string): void {
    if (this.#ended) return;
    // A reader that does not keep up is dropped rather than buffered without bound; one
    // large event, and the frame right after it, are not that (see BacklogBound).
    if (!this.#backlog.admits(this.#response.writableLength)) {
      this.#ended = true;
      this.#response.destroy();
      return;
    }
    this.#response.write(frame);
  }
}
