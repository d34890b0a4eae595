import { randomBytes } from 'node:crypto';
import type { RedisBus } from './redis-bus.js';

/** How long an announcement waits for the other instances to have acted on it. */
export const ANNOUNCE_TIMEOUT_MS = 2000;

interface Announcement {
  readonly id: string;
  readonly from: string;
}

/**
 * Announcements that wait for their effect: a schema or settings change is announced on
 * a topic, every instance reloads from the database and acknowledges, and the change's
 * API call returns once all instances that heard it have acknowledged (or after
 * ANNOUNCE_TIMEOUT_MS, when one is stuck: it catches up on its own, by its poll or on
 * reconnection). So a client that changed a rule and then asks another instance finds
 * the new rule there.
 */
export class ClusterAnnouncer {
  readonly #bus: RedisBus;
  readonly #waiting = new Map<string, () => void>();

  constructor(bus: RedisBus) {
    this.#bus = bus;
  }

  /** Listens for acknowledgements of this instance's announcements. */
  async start(): Promise<() => void> {
    return this.#bus.listen(`ack:${this.#bus.instanceId}`, (id) => this.#waiting.get(id)?.());
  }

  /** Announces on `topic`; resolves when every instance that heard it acknowledged, or after the timeout. */
  async announce(topic: string, timeoutMs = ANNOUNCE_TIMEOUT_MS): Promise<void> {
    const id = randomBytes(9).toString('base64url');
    let acknowledged = 0;
    let expected = Number.POSITIVE_INFINITY;
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => finish(), timeoutMs);
      finish = () => (clearTimeout(timer), this.#waiting.delete(id), resolve());
    });
    this.#waiting.set(id, () => ++acknowledged >= expected && finish());
    const message: Announcement = { id, from: this.#bus.instanceId };
    // PUBLISH counts the receivers, this instance included (it acknowledges at once).
    expected = await this.#bus.publish(topic, JSON.stringify(message));
    if (acknowledged >= expected) finish();
    return done;
  }

  /** Runs `act` on every announcement on `topic` from another instance, then acknowledges it. */
  follow(topic: string, act: () => Promise<void>): Promise<() => void> {
    return this.#bus.listen(topic, (text) => void this.#acknowledge(text, act));
  }

  async #acknowledge(text: string, act: () => Promise<void>): Promise<void> {
    let message: Announcement;
    try {
      message = JSON.parse(text) as Announcement;
    } catch {
      return;
    }
    if (message.from !== this.#bus.instanceId) await act().catch(() => undefined);
    await this.#bus.publish(`ack:${message.from}`, message.id);
  }
}
