import { randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error.js';
import type { SubscriptionOptions } from '@tandem/protocol';
import { guest, type Principal } from '../schema/principal.js';
import { isAuthCollection, type Collection } from '../schema/collection.js';
import type { RecordDeps } from '../records/record-deps.js';
import type { ChangeEvent } from '../changes/change-log.js';
import type { ChangeFeed } from '../changes/change-feed.js';
import { parseSubscription, type Subscription } from './realtime-subscription.js';
import { RealtimeClient, type RealtimeSink } from './realtime-client.js';
import { VisibilityChecker } from './realtime-visibility.js';
import type { RealtimeRelay } from './realtime-relay.js';

/** How a client proved who it is, so the broker can check again when the record changes. */
export type RealtimeCredential = { kind: 'token'; token: string } | { kind: 'session'; sessionId: string };

/** Checks a credential against the current database state; undefined when it no longer holds. */
export type CredentialVerifier = (credential: RealtimeCredential) => Promise<Principal | undefined>;

/** Watches the fan-out of committed changes (the admin UI's Flow page); see `RealtimeBroker.observe`. */
export interface FanoutObserver {
  /** A committed change reached the broker; `clients` are the connected clients it is checked for. */
  change(event: ChangeEvent, clients: number): void;
  /** One delivery of change `seq` was handed to a client of `transport`. */
  delivered(seq: number, transport: string): void;
}

/**
 * The transport-free realtime broker: it keeps every connected client and its
 * subscriptions, takes each committed change from the feed (in `seq` order, once), and
 * for every subscriber checks the subscriber's current principal against the rule and
 * filter before anything is sent. Transports (WebSocket, SSE) only format and write.
 */
export class RealtimeBroker {
  readonly #deps: RecordDeps;
  readonly #feed: ChangeFeed;
  readonly #verify: CredentialVerifier;
  readonly #clients = new Map<string, RealtimeClient>();
  #stopFeed: (() => void) | undefined;
  #messagesSent = 0;
  #observer: FanoutObserver | undefined;
  readonly #relay: RealtimeRelay | undefined;

  /** With a `relay` (a cluster), client ids carry this instance's prefix and topics reach clients of other instances. */
  constructor(options: { deps: RecordDeps; feed: ChangeFeed; verify: CredentialVerifier; relay?: RealtimeRelay }) {
    this.#deps = options.deps;
    this.#feed = options.feed;
    this.#verify = options.verify;
    this.#relay = options.relay;
    this.#stopFeed = this.#feed.subscribe((event) => this.#dispatch(event));
    this.#relay?.serve('topic', async (clientId, request) =>
      request.kind === 'topic' && this.sendTopic(clientId, request.topic, request.data)
        ? { ok: true }
        : { ok: false, code: 'NOT_FOUND', message: 'Missing or invalid client id.' },
    );
  }

  /** The principal a credential proves now (undefined when it no longer holds). */
  verifyCredential(credential: RealtimeCredential): Promise<Principal | undefined> {
    return this.#verify(credential);
  }

  /** The relay to the other instances of a cluster, if any. */
  get relay(): RealtimeRelay | undefined {
    return this.#relay;
  }

  /** The number of connected clients. */
  get size(): number {
    return this.#clients.size;
  }

  /** Deliveries (events and leaves) handed to clients' transports since start. */
  get messagesSent(): number {
    return this.#messagesSent;
  }

  /** The newest change handed to clients. */
  get seq(): number {
    return this.#feed.lastSeq;
  }

  /** Sets (or with undefined, removes) the one observer of the fan-out; without one it costs a property read per delivery. */
  observe(observer: FanoutObserver | undefined): void {
    this.#observer = observer;
  }

  /** Registers a client; the transport sends what the sink receives. */
  connect(sink: RealtimeSink, principal: Principal = guest, credential?: RealtimeCredential): RealtimeClient {
    const id = (this.#relay?.clientIdPrefix ?? '') + randomBytes(15).toString('base64url').slice(0, 20);
    const transport = sink.transport ?? 'unknown';
    const counted: RealtimeSink = {
      transport,
      send: (delivery) => (
        this.#messagesSent++, this.#observer?.delivered(delivery.seq, transport), sink.send(delivery)
      ),
      room: sink.room?.bind(sink),
      replaying: sink.replaying?.bind(sink),
      principalChanged: sink.principalChanged?.bind(sink),
      disconnect: sink.disconnect?.bind(sink),
      message: sink.message?.bind(sink),
      publish: sink.publish?.bind(sink),
    };
    const client = new RealtimeClient(
      id,
      counted,
      this.#deps,
      new VisibilityChecker(this.#deps),
      principal,
      credential,
    );
    this.#clients.set(id, client);
    return client;
  }

  /** A client by id (SSE binds subscriptions with a separate POST). */
  client(id: string): RealtimeClient | undefined {
    return this.#clients.get(id);
  }

  /**
   * Sends a message on a non-record topic to one client, by id (the OAuth2 popup flow's
   * `@oauth2`). False when no such client is connected here or it does not listen.
   * NB: clients are per process; `sendTopicAnywhere` reaches the other instances of a cluster.
   */
  sendTopic(clientId: string, topic: string, data: unknown): boolean {
    return this.#clients.get(clientId)?.sendTopic(topic, data) ?? false;
  }

  /**
   * Sends `data` on an application's own topic (one that names no collection) to every
   * client here that subscribed to it; returns how many got it. Server hooks call it
   * (`realtime.publish`). NB: clients are per process: with several instances, each
   * instance reaches only its own clients.
   */
  publish(topic: string, data: unknown): number {
    if (this.#deps.collections.find(topic.split('/')[0] ?? ''))
      throw new AppError('BAD_REQUEST', "A collection's topic carries its record changes only.");
    let sent = 0;
    for (const client of this.#clients.values()) if (client.publish(topic, data)) sent++;
    return sent;
  }

  /** `sendTopic` to a client of this instance or, in a cluster, of any other. */
  async sendTopicAnywhere(clientId: string, topic: string, data: unknown): Promise<boolean> {
    if (this.sendTopic(clientId, topic, data)) return true;
    const answer = await this.#relay?.forward(clientId, { kind: 'topic', topic, data });
    return answer?.ok === true;
  }

  /** Forgets a client and its subscriptions. */
  disconnect(client: RealtimeClient): void {
    client.close();
    this.#clients.delete(client.id);
  }

  /**
   * Parses and adds a subscription for a client; throws a 4xx AppError for a bad topic or
   * options. A topic that names no collection is an application's own (PocketBase's
   * rule), unless `collectionsOnly`: then it is COLLECTION_NOT_FOUND (gRPC's Watch names a
   * collection, not a topic).
   */
  subscribe(
    client: RealtimeClient,
    id: string,
    topic: string,
    options?: SubscriptionOptions,
    collectionsOnly = false,
  ): void {
    const subscription = parseSubscription(this.#deps.collections, id, topic, options);
    if (collectionsOnly && subscription.collectionId === '') throw new AppError('COLLECTION_NOT_FOUND');
    client.addSubscription(subscription, this.#feed.announcedSeq);
  }

  /** Sets a client's whole set of parsed subscriptions (SSE); new ones see changes committed from now on. */
  replaceSubscriptions(client: RealtimeClient, subscriptions: readonly Subscription[]): void {
    client.replaceSubscriptions(subscriptions, this.#feed.announcedSeq);
  }

  /**
   * Ends every connection from the server's side (an operator's "reconnect everyone"):
   * clients reconnect and resume from their last seq. Returns how many were dropped.
   */
  dropAll(): number {
    const clients = [...this.#clients.values()];
    for (const client of clients) {
      client.drop();
      this.disconnect(client);
    }
    return clients.length;
  }

  /** Stops listening to the feed and drops every client. */
  close(): void {
    this.#stopFeed?.();
    this.#stopFeed = undefined;
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }

  #dispatch(event: ChangeEvent): void {
    const collection = this.#deps.collections.find(event.collectionId);
    if (!collection) return;
    this.#observer?.change(event, this.#clients.size);
    if (isAuthCollection(collection) && event.action !== 'create') this.#recheckCredentials(collection, event.recordId);
    for (const client of this.#clients.values()) client.enqueue(event, collection);
  }

  /**
   * A changed or deleted auth record may have lost its credentials (password change,
   * logout everywhere, disabled, deleted): every client acting for it is checked again
   * now, and downgraded to a guest when its credential no longer holds.
   */
  #recheckCredentials(collection: Collection, recordId: string): void {
    for (const client of this.#clients.values()) {
      if (!client.actsFor(collection.id, recordId)) continue;
      const credential = client.credential;
      const check = credential ? this.#verify(credential) : Promise.resolve(undefined);
      void check.then(
        (principal) => client.setPrincipal(principal ?? guest, principal ? credential : undefined),
        () => client.setPrincipal(guest),
      );
    }
  }
}
