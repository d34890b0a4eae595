import { randomBytes } from 'node:crypto';
import type { RedisConnections } from './redis-connection.js';

/** The length of an instance's id (hex). */
export const INSTANCE_ID_LENGTH = 8;

/** Receives the text published on a channel. */
export type BusHandler = (message: string) => void;

/**
 * Messages between the instances of a cluster over Redis pub/sub. Pub/sub delivers at
 * most once and only to connected instances, so nothing here is ever the only carrier
 * of data: it wakes instances up, and what they then read (the change log, the schema,
 * the settings) is the truth. `onReconnect` tells listeners when the subscriber
 * connection came back, so they can catch up on what they may have missed.
 */
export class RedisBus {
  /** This instance's id in the cluster, drawn at start (its private channels carry it). */
  readonly instanceId = randomBytes(INSTANCE_ID_LENGTH / 2).toString('hex');
  readonly #redis: RedisConnections;
  readonly #handlers = new Map<string, Set<BusHandler>>();
  readonly #reconnectListeners = new Set<() => void>();
  readonly #dropListeners = new Set<() => void>();
  #connectedOnce = false;

  constructor(redis: RedisConnections) {
    this.#redis = redis;
    this.#connectedOnce = redis.subscriber.status === 'ready';
    redis.subscriber.on('message', ((channel: string, message: string) => this.#dispatch(channel, message)) as never);
    redis.subscriber.on('ready', (() => this.#ready()) as never);
    redis.subscriber.on('close', (() => this.#dropped()) as never);
    // An error is followed by `close`; listening keeps it from crashing the process.
    redis.subscriber.on('error', (() => undefined) as never);
  }

  /** Listens to `channel` (named without the cluster prefix); returns the function that stops. */
  async listen(channel: string, handler: BusHandler): Promise<() => void> {
    const name = this.#redis.prefix + channel;
    let set = this.#handlers.get(name);
    if (!set) {
      set = new Set();
      this.#handlers.set(name, set);
      await this.#redis.subscriber.subscribe(name);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Publishes `message`; resolves with the number of instances that received it (0 on failure). */
  async publish(channel: string, message: string): Promise<number> {
    try {
      return Number(await this.#redis.commands.call('PUBLISH', this.#redis.prefix + channel, message));
    } catch {
      return 0;
    }
  }

  /** Calls `listener` each time the subscriber connection is back after a drop. */
  onReconnect(listener: () => void): () => void {
    this.#reconnectListeners.add(listener);
    return () => this.#reconnectListeners.delete(listener);
  }

  /** Calls `listener` each time the subscriber connection drops. */
  onDrop(listener: () => void): () => void {
    this.#dropListeners.add(listener);
    return () => this.#dropListeners.delete(listener);
  }

  #dispatch(channel: string, message: string): void {
    for (const handler of this.#handlers.get(channel) ?? []) handler(message);
  }

  #ready(): void {
    if (!this.#connectedOnce) return void (this.#connectedOnce = true);
    for (const listener of this.#reconnectListeners) listener();
  }

  #dropped(): void {
    for (const listener of this.#dropListeners) listener();
  }
}
