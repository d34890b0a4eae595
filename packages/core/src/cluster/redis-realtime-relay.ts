import { randomBytes } from 'node:crypto';
import type { RealtimeRelay, RelayAnswer, RelayHandler, RelayRequest } from '../realtime/realtime-relay.js';
import { INSTANCE_ID_LENGTH, type RedisBus } from './redis-bus.js';

/** How long a forwarded request waits for the holder's answer. */
export const RELAY_TIMEOUT_MS = 3000;

interface Envelope {
  readonly id: string;
  readonly from: string;
  readonly clientId: string;
  readonly request: RelayRequest;
}

/**
 * The RealtimeRelay over Redis pub/sub: each instance listens on its own channel
 * (`relay:<instance>`) for requests and on `reply:<instance>` for answers. A request
 * for a client whose instance is gone reaches nobody (PUBLISH counts 0 receivers) and is
 * answered at once with "no such client", as on one instance.
 */
export class RedisRealtimeRelay implements RealtimeRelay {
  readonly clientIdPrefix: string;
  readonly #bus: RedisBus;
  readonly #handlers = new Map<string, RelayHandler>();
  readonly #pending = new Map<string, (answer: RelayAnswer | undefined) => void>();
  #stops: (() => void)[] = [];

  constructor(bus: RedisBus) {
    this.#bus = bus;
    this.clientIdPrefix = bus.instanceId;
  }

  /** Subscribes to this instance's channels. */
  async start(): Promise<void> {
    this.#stops = await Promise.all([
      this.#bus.listen(`relay:${this.clientIdPrefix}`, (text) => void this.#answer(text)),
      this.#bus.listen(`reply:${this.clientIdPrefix}`, (text) => this.#settle(text)),
    ]);
  }

  stop(): void {
    for (const stop of this.#stops) stop();
    for (const settle of this.#pending.values()) settle(undefined);
  }

  serve(kind: RelayRequest['kind'], handler: RelayHandler): () => void {
    this.#handlers.set(kind, handler);
    return () => this.#handlers.delete(kind);
  }

  async forward(clientId: string, request: RelayRequest): Promise<RelayAnswer | undefined> {
    const instance = clientId.slice(0, INSTANCE_ID_LENGTH);
    if (instance.length !== INSTANCE_ID_LENGTH || instance === this.clientIdPrefix) return undefined;
    const envelope: Envelope = {
      id: randomBytes(9).toString('base64url'),
      from: this.clientIdPrefix,
      clientId,
      request,
    };
    const answered = new Promise<RelayAnswer | undefined>((resolve) => {
      const timer = setTimeout(() => settle(undefined), RELAY_TIMEOUT_MS);
      const settle = (answer: RelayAnswer | undefined) => {
        clearTimeout(timer);
        this.#pending.delete(envelope.id);
        resolve(answer);
      };
      this.#pending.set(envelope.id, settle);
    });
    const receivers = await this.#bus.publish(`relay:${instance}`, JSON.stringify(envelope));
    if (receivers === 0) this.#pending.get(envelope.id)?.(undefined);
    return answered;
  }

  async #answer(text: string): Promise<void> {
    const envelope = parse<Envelope>(text);
    if (!envelope?.request) return;
    const handler = this.#handlers.get(envelope.request.kind);
    const answer: RelayAnswer = handler
      ? await handler(envelope.clientId, envelope.request).catch(
          (): RelayAnswer => ({ ok: false, code: 'INTERNAL', message: 'Something went wrong.' }),
        )
      : { ok: false, code: 'NOT_FOUND', message: 'Missing or invalid client id.' };
    await this.#bus.publish(`reply:${envelope.from}`, JSON.stringify({ id: envelope.id, answer }));
  }

  #settle(text: string): void {
    const reply = parse<{ id: string; answer: RelayAnswer }>(text);
    if (reply) this.#pending.get(reply.id)?.(reply.answer);
  }
}

function parse<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
