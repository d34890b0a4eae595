import { REALTIME_SUBPROTOCOL, type ClientMessage, type ServerMessage } from '@tandem/protocol';
import type { AuthStore } from './auth-store.js';
import { backoffDelay, defaultBackoff, type BackoffOptions } from './backoff.js';
import { ClientError, ClientErrorCode, toClientError } from './client-error.js';
import { EventSequencer } from './event-sequencer.js';
import { PendingReplies } from './pending-replies.js';
import type { RealtimeEvent, RealtimeSubscription, SubscribeOptions } from './realtime-subscription.js';
import { Heartbeat } from './heartbeat.js';
import {
  resolveWebSocket,
  SOCKET_OPEN,
  toSocketUrl,
  type WebSocketConstructor,
  type WebSocketLike,
} from './web-socket.js';

/** A record request sent over the socket instead of HTTP. */
export type SocketRequest = Omit<Extract<ClientMessage, { type: 'request' }>, 'type' | 'id'>;

/** Options of the realtime connection. */
export interface RealtimeOptions {
  /** The WebSocket constructor; default: the global one, else the `ws` package. */
  webSocket?: WebSocketConstructor;
  /** Reconnect delays (default 250 ms doubling up to 10 s, full jitter). */
  backoff?: BackoffOptions;
  /** How long a connection must last before the backoff starts over (default 10 s). */
  stableMs?: number;
}

/**
 * The client side of Tandem's WebSocket protocol (`/api/ws`, `tandem.v1`): connects on
 * the first subscription, authenticates with the store's token (again whenever it
 * changes), reconnects with backoff, and on reconnect re-subscribes and resumes from
 * the last seen `seq` so missed changes arrive exactly once, in order.
 */
export class RealtimeClient {
  readonly #baseUrl: string;
  readonly #store: AuthStore;
  readonly #options: Required<Omit<RealtimeOptions, 'webSocket'>> & Pick<RealtimeOptions, 'webSocket'>;
  readonly #beforeConnect: () => Promise<void>;
  readonly #subscriptions = new Map<string, RealtimeSubscription>();
  readonly #replies = new PendingReplies();
  readonly #sequencer = new EventSequencer((id) => this.#subscriptions.get(id));
  #socket: WebSocketLike | undefined;
  #connecting = false;
  #welcomed = false;
  #ready = false;
  #resumable = false;
  #sentToken = '';
  #acks = new Map<string, Promise<unknown>>();
  #readyWaiters: Array<{ resolve(): void; reject(error: unknown): void }> = [];
  #attempt = 0;
  #nextId = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #stableTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: Heartbeat | undefined;

  constructor(baseUrl: string, store: AuthStore, beforeConnect: () => Promise<void>, options: RealtimeOptions = {}) {
    this.#baseUrl = baseUrl;
    this.#store = store;
    this.#beforeConnect = beforeConnect;
    this.#options = { backoff: defaultBackoff, stableMs: 10_000, ...options };
    store.onChange((state) => this.#onToken(state.token));
  }

  /** True when the socket is open, authenticated and subscribed: requests may use it. */
  get isOpen(): boolean {
    return this.#ready && this.#socket?.readyState === SOCKET_OPEN;
  }

  /** The seq of the newest change delivered, the point a reconnect resumes from. */
  get lastSeq(): number | undefined {
    return this.#sequencer.lastSeq;
  }

  /** Subscribes to a topic (`collection/*` or `collection/<id>`); resolves once the server confirmed. */
  async subscribe<T>(
    topic: string,
    callback: (event: RealtimeEvent<T>) => void,
    options: SubscribeOptions = {},
  ): Promise<() => Promise<void>> {
    const { onReset, ...wire } = options;
    const subscription: RealtimeSubscription = {
      id: this.#id('s'),
      topic,
      options: wire,
      callback,
      onReset,
      lastSeq: 0,
    };
    return this.#add(subscription);
  }

  /** Keeps a subscription (across reconnects) and resolves once the server confirmed it. */
  async #add(subscription: RealtimeSubscription): Promise<() => Promise<void>> {
    this.#subscriptions.set(subscription.id, subscription);
    try {
      await this.#whenReady();
      await (this.#acks.get(subscription.id) ?? this.#sendSubscribe(subscription));
    } catch (error) {
      this.#subscriptions.delete(subscription.id);
      this.#closeIfIdle();
      throw error;
    }
    return () => this.#unsubscribe(subscription);
  }

  /**
   * Subscribes to an application's own topic (a name that is not a collection's): the
   * callback gets each message a server hook publishes on it (`realtime.publish`).
   * Messages sent while the socket was down are not replayed.
   * @example const stop = await client.realtime.subscribeTopic('chat/lobby', (data) => show(data))
   */
  async subscribeTopic<T = unknown>(topic: string, callback: (data: T) => void): Promise<() => Promise<void>> {
    const subscription: RealtimeSubscription = {
      id: this.#id('s'),
      topic,
      options: {},
      callback: () => undefined,
      onReset: undefined,
      onMessage: callback as (data: unknown) => void,
      lastSeq: 0,
    };
    return this.#add(subscription);
  }

  /** Sends a record request over the open socket and resolves with the answer's body. */
  async request(request: SocketRequest): Promise<unknown> {
    const id = this.#id('r');
    this.#send({ type: 'request', id, ...request });
    const reply = await this.#replies.wait(id);
    if (reply.type !== 'response')
      throw new ClientError(0, ClientErrorCode.UNKNOWN_ERROR, `Unexpected ${reply.type} answer.`);
    if (reply.status >= 400) throw toClientError(reply.status, reply.body);
    return reply.body;
  }

  /** Closes the socket and drops every subscription. */
  disconnect(): void {
    this.#subscriptions.clear();
    this.#closeIfIdle();
  }

  async #unsubscribe(subscription: RealtimeSubscription): Promise<void> {
    if (!this.#subscriptions.delete(subscription.id)) return;
    const acknowledged = this.#acks.delete(subscription.id);
    if (this.#closeIfIdle() || !acknowledged || !this.isOpen) return;
    this.#send({ type: 'unsubscribe', id: subscription.id });
    await this.#replies.wait(subscription.id).catch(() => undefined);
  }

  #whenReady(): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    const ready = new Promise<void>((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
    if (!this.#socket && !this.#connecting && this.#reconnectTimer === undefined) void this.#connect();
    return ready;
  }

  async #connect(): Promise<void> {
    this.#connecting = true;
    try {
      await this.#beforeConnect().catch(() => undefined);
      const WebSocketClass = this.#options.webSocket ?? (await resolveWebSocket());
      if (this.#subscriptions.size === 0 && this.#readyWaiters.length === 0) return;
      const socket = new WebSocketClass(toSocketUrl(this.#baseUrl), REALTIME_SUBPROTOCOL);
      this.#socket = socket;
      socket.onmessage = (event) => this.#onMessage(socket, event.data);
      socket.onclose = () => this.#onClose(socket);
      socket.onerror = () => undefined; // a close event follows every error
    } catch {
      this.#scheduleReconnect();
    } finally {
      this.#connecting = false;
    }
  }

  #onMessage(socket: WebSocketLike, data: unknown): void {
    if (socket !== this.#socket) return;
    this.#heartbeat?.received();
    let message: ServerMessage;
    try {
      message = JSON.parse(String(data)) as ServerMessage;
    } catch {
      return;
    }
    switch (message.type) {
      case 'welcome':
        return void this.#onWelcome(socket, message.heartbeatMs, message.seq);
      case 'event':
      case 'leave':
        return this.#sequencer.push(message);
      case 'message':
        return void this.#subscriptions.get(message.sub)?.onMessage?.(message.data);
      case 'resumed':
        return this.#sequencer.endResume(message.seq);
      case 'reset':
        return this.#sequencer.reset(message.seq, this.#subscriptions.values());
      case 'pong':
        return;
      default:
        this.#replies.settle(message);
    }
  }

  async #onWelcome(socket: WebSocketLike, heartbeatMs: number, seq: number): Promise<void> {
    this.#welcomed = true;
    this.#heartbeat = new Heartbeat(
      heartbeatMs,
      () => this.#trySend({ type: 'ping' }),
      () => this.#drop(socket),
    );
    const resume = this.#resumable && this.#sequencer.lastSeq !== undefined;
    if (resume) this.#sequencer.beginResume();
    else this.#sequencer.lastSeq = seq;
    this.#acks = new Map();
    try {
      const token = this.#store.state.token;
      // A refused token leaves the socket a guest, as a bad token does over HTTP.
      if (token) await this.#sendAuth(token).catch(() => undefined);
      await Promise.all([...this.#subscriptions.values()].map((subscription) => this.#resubscribe(subscription)));
      if (resume) this.#send({ type: 'resume', lastSeq: this.#sequencer.lastSeq! });
    } catch {
      return this.#drop(socket);
    }
    this.#ready = true;
    this.#resumable = true;
    this.#stableTimer = setTimeout(() => (this.#attempt = 0), this.#options.stableMs);
    (this.#stableTimer as { unref?: () => void }).unref?.();
    for (const waiter of this.#readyWaiters.splice(0)) waiter.resolve();
  }

  #sendSubscribe(subscription: RealtimeSubscription): Promise<unknown> {
    const ack = (async () => {
      this.#send({ type: 'subscribe', id: subscription.id, topic: subscription.topic, options: subscription.options });
      return this.#replies.wait(subscription.id);
    })();
    this.#acks.set(subscription.id, ack);
    return ack;
  }

  /** Subscribes again after a reconnect; a subscription the server now refuses is dropped. */
  async #resubscribe(subscription: RealtimeSubscription): Promise<void> {
    try {
      await this.#sendSubscribe(subscription);
    } catch (error) {
      if ((error as ClientError).status === 0) throw error;
      this.#subscriptions.delete(subscription.id);
    }
  }

  async #sendAuth(token: string): Promise<void> {
    const id = this.#id('a');
    this.#sentToken = token;
    this.#send({ type: 'auth', id, token });
    await this.#replies.wait(id);
  }

  #onToken(token: string): void {
    if (!this.#welcomed || token === this.#sentToken || this.#socket?.readyState !== SOCKET_OPEN) return;
    // A refused token leaves the socket a guest; the server says so in the error.
    this.#sendAuth(token).catch(() => undefined);
  }

  #send(message: ClientMessage): void {
    if (this.#socket?.readyState !== SOCKET_OPEN)
      throw new ClientError(0, ClientErrorCode.SOCKET_CLOSED, 'The realtime connection is not open.');
    this.#socket.send(JSON.stringify(message));
  }

  #trySend(message: ClientMessage): void {
    try {
      this.#send(message);
    } catch {
      // The close event takes care of it.
    }
  }

  /** Gives up on a socket now (dead heartbeat, failed setup) rather than waiting for a close handshake. */
  #drop(socket: WebSocketLike): void {
    socket.onmessage = socket.onclose = null;
    socket.close();
    this.#onClose(socket);
  }

  #onClose(socket: WebSocketLike): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    this.#welcomed = this.#ready = false;
    this.#heartbeat?.stop();
    clearTimeout(this.#stableTimer);
    this.#sequencer.abortResume();
    this.#replies.failAll('The realtime connection closed.');
    if (this.#subscriptions.size > 0 || this.#readyWaiters.length > 0) this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const delay = backoffDelay(this.#attempt++, this.#options.backoff);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#connect();
    }, delay);
  }

  /** Closes the socket when nothing needs it any more; true when it did. */
  #closeIfIdle(): boolean {
    if (this.#subscriptions.size > 0 || this.#readyWaiters.length > 0) return false;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    // A later subscription starts afresh: resuming from an old seq would replay stale changes.
    this.#resumable = false;
    this.#attempt = 0;
    const socket = this.#socket;
    if (socket) {
      this.#onClose(socket);
      socket.onmessage = socket.onclose = null;
      socket.close(1000);
    }
    return true;
  }

  #id(prefix: string): string {
    return `${prefix}${++this.#nextId}`;
  }
}
