import type { RealtimeAction } from '@tandem/protocol';
import { guest, type Principal, type RecordData } from '../schema/principal.js';
import { AppError } from '../errors/app-error.js';
import type { Collection } from '../schema/collection.js';
import { pickFields } from '../json/fields-picker.js';
import type { RecordDeps } from '../records/record-deps.js';
import type { RecordJson } from '../records/record-codec.js';
import { expandAfterCommit, MAX_EXPANDED_JSON } from '../records/record-expand.js';
import { headSeq as storedHeadSeq, oldestSeq, readChanges, type ChangeEvent } from '../changes/change-log.js';
import { subscriptionMatches, type Subscription } from './realtime-subscription.js';
import { subscriptionRequest, type VisibilityChecker, type Visibility } from './realtime-visibility.js';
import type { RealtimeCredential } from './realtime-broker.js';

/** What the broker hands a transport for one subscriber. */
export type Delivery =
  | {
      kind: 'event';
      sub: string;
      topic: string;
      seq: number;
      action: RealtimeAction;
      record: RecordJson;
      recordJson: string;
    }
  | { kind: 'leave'; sub: string; topic: string; seq: number; id: string };

/** A transport's side of a client. */
export interface RealtimeSink {
  /** The transport's name (`websocket`, `sse`, `grpc`, `graphql`), as the Flow page shows fan-out. */
  readonly transport?: string;
  send(delivery: Delivery): void;
  /**
   * While the transport holds more than its bound unsent: a promise that settles once the
   * client has taken enough in, or the connection closed; undefined when there is room now.
   * A replay waits on it between changes, so that a client resuming past a backlog many
   * times the bound is paced by its own reading instead of dropped as a slow consumer.
   */
  room?(): Promise<void> | undefined;
  /**
   * A resume found the change log reaching back to its `lastSeq`: no `reset`, and the
   * replay starts now. Every change the client was handed since the resume began comes
   * again in the replay.
   */
  replaying?(): void;
  /** The broker changed who the client acts for (credentials revoked: a guest now). */
  principalChanged?(principal: Principal): void;
  /** Ends the connection from the server's side (the client reconnects and resumes). */
  disconnect?(): void;
  /**
   * Sends a message on a topic that carries no record changes (`@oauth2`) when the
   * client subscribed to it; false otherwise. Transports without such topics leave it out.
   */
  message?(topic: string, data: unknown): boolean;
  /**
   * Sends a message on an application's own topic (`realtime.publish` of a server hook)
   * to the client's subscriptions `subs` of it, keeping them.
   */
  publish?(topic: string, data: unknown, subs: readonly string[]): boolean;
}

/**
 * The outcome of `resume`. A `reset` says why the replay cannot be made: the change log
 * no longer reaches back to the client's place (`retention`), or the client's place is
 * past everything this database has logged (`ahead`: it was restored from a backup, or
 * is a new one), where the client would take the next changes for ones it has seen.
 */
export type ResumeResult =
  | { kind: 'resumed'; seq: number }
  | { kind: 'reset'; seq: number; reason: 'retention' | 'ahead' };

const MAX_SUBSCRIPTIONS = 1000;
/**
 * Live changes one client may hold back while its replay runs. A replay goes as fast as
 * its client reads (see RealtimeSink.room), so a slow reader resuming past a long backlog
 * would hold every live change meanwhile; past this many it is disconnected instead, when
 * its transport can do that, and resumes from its last seq (the change log has them).
 */
export const MAX_HELD_DURING_REPLAY = 10_000;

/** One connected client: its principal, subscriptions and an ordered delivery queue. */
export class RealtimeClient {
  readonly id: string;
  readonly #sink: RealtimeSink;
  readonly #deps: RecordDeps;
  readonly #visibility: VisibilityChecker;
  readonly #subscriptions = new Map<string, Subscription>();
  /**
   * Per new subscription, the newest `seq` committed before it was made (see
   * `addSubscription`); an entry goes once the first later change reaches it.
   */
  readonly #startsAfter = new Map<string, number>();
  #principal: Principal;
  #credential: RealtimeCredential | undefined;
  #tail: Promise<void> | undefined;
  #replaying = false;
  #pending: Array<[ChangeEvent, Collection]> = [];
  #closed = false;
  /** The expand bound one change's events share (see #expandBudgetOf). */
  #expandBudget: { seq: number; left: number } | undefined;

  constructor(
    id: string,
    sink: RealtimeSink,
    deps: RecordDeps,
    visibility: VisibilityChecker,
    principal: Principal,
    credential?: RealtimeCredential,
  ) {
    this.id = id;
    this.#sink = sink;
    this.#deps = deps;
    this.#visibility = visibility;
    this.#principal = principal;
    this.#credential = credential;
  }

  get principal(): Principal {
    return this.#principal;
  }

  get credential(): RealtimeCredential | undefined {
    return this.#credential;
  }

  get subscriptionCount(): number {
    return this.#subscriptions.size;
  }

  /** True when the client acts for this auth record. */
  actsFor(collectionId: string, recordId: string): boolean {
    const p = this.#principal;
    return (
      (p.kind === 'record' && p.collection.id === collectionId && p.record.id === recordId) ||
      (p.kind === 'superuser' && p.id === recordId)
    );
  }

  /** Changes who the client acts for (new token, refresh, or revocation → guest). */
  setPrincipal(principal: Principal, credential?: RealtimeCredential): void {
    const downgraded = principal.kind === 'guest' && this.#principal.kind !== 'guest';
    this.#principal = principal;
    this.#credential = credential;
    this.#visibility.reset();
    if (downgraded) this.#sink.principalChanged?.(principal);
  }

  /**
   * Adds a subscription, or replaces the one with its id. A new one sees the changes
   * committed after `startsAfter` (the newest `seq` committed when it was made): a change
   * acknowledged to its writer before the subscription existed is not sent live, even when
   * the feed hands it on a moment later (a `resume` asks for older changes explicitly). A
   * replaced one keeps its place in the stream: it misses nothing in between.
   */
  addSubscription(subscription: Subscription, startsAfter = 0): void {
    const isNew = !this.#subscriptions.has(subscription.id);
    if (this.#subscriptions.size >= MAX_SUBSCRIPTIONS && isNew)
      throw new AppError('BAD_REQUEST', `At most ${MAX_SUBSCRIPTIONS} subscriptions per client.`);
    this.#subscriptions.set(subscription.id, subscription);
    if (isNew && startsAfter > 0) this.#startsAfter.set(subscription.id, startsAfter);
  }

  /** Sets the whole set of subscriptions at once (SSE): those kept keep their place, see `addSubscription`. */
  replaceSubscriptions(subscriptions: readonly Subscription[], startsAfter = 0): void {
    if (subscriptions.length > MAX_SUBSCRIPTIONS)
      throw new AppError('BAD_REQUEST', `At most ${MAX_SUBSCRIPTIONS} subscriptions per client.`);
    const before = new Set(this.#subscriptions.keys());
    this.#subscriptions.clear();
    for (const subscription of subscriptions) {
      this.#subscriptions.set(subscription.id, subscription);
      if (!before.has(subscription.id) && startsAfter > 0) this.#startsAfter.set(subscription.id, startsAfter);
    }
    for (const id of this.#startsAfter.keys()) if (!this.#subscriptions.has(id)) this.#startsAfter.delete(id);
  }

  removeSubscription(id: string): boolean {
    this.#startsAfter.delete(id);
    return this.#subscriptions.delete(id);
  }

  /** Hands a topic message to the transport; false when the client does not listen to that topic. */
  sendTopic(topic: string, data: unknown): boolean {
    return this.#sink.message?.(topic, data) ?? false;
  }

  /** Hands a message on an application's own topic to the transport when the client subscribed to that topic. */
  publish(topic: string, data: unknown): boolean {
    if (this.#closed) return false;
    const subs: string[] = [];
    for (const subscription of this.#subscriptions.values())
      if (subscription.collectionId === '' && subscription.topic === topic) subs.push(subscription.id);
    return subs.length > 0 && (this.#sink.publish?.(topic, data, subs) ?? false);
  }

  /** Ends the client's connection from the server's side. */
  drop(): void {
    this.#sink.disconnect?.();
  }

  close(): void {
    this.#closed = true;
    this.#subscriptions.clear();
    this.#pending = [];
  }

  /** Takes one change, in `seq` order; delivery keeps that order per client. */
  enqueue(event: ChangeEvent, collection: Collection): void {
    if (this.#closed || !this.#wants(collection, event.recordId)) return;
    if (!this.#replaying) return this.#run(() => this.#deliver(event, collection));
    if (this.#pending.length < MAX_HELD_DURING_REPLAY || !this.#sink.disconnect)
      return void this.#pending.push([event, collection]);
    // NB: closed first: no later change may reach the client, or it would resume past the held ones.
    this.close();
    this.#sink.disconnect?.();
  }

  /**
   * Replays every change after `lastSeq` up to the feed's head, in order, then lets live
   * changes through again. Changes handled live between a subscribe and this call are
   * sent again (a client holds what arrives until `resumed` and drops repeated seqs), so
   * nothing can slip between the replay and the live stream. A `lastSeq` older than the
   * change log keeps, or newer than anything the database logged, answers `reset`.
   */
  async resume(lastSeq: number, headSeq: number): Promise<ResumeResult> {
    this.#replaying = true;
    // The client names its place in the stream: every change after it is sent, also to
    // subscriptions made a moment ago.
    this.#startsAfter.clear();
    try {
      await this.#tail;
      const upTo = headSeq;
      // NB: a place past this server's feed is most often a change the feed has not read
      // yet (another instance sent it); only past the database's own head is it lost.
      if (lastSeq > upTo && (await storedHeadSeq(this.#deps.store)) < lastSeq)
        return { kind: 'reset', seq: upTo, reason: 'ahead' };
      const oldest = await oldestSeq(this.#deps.store);
      if (lastSeq < upTo && (oldest === undefined || lastSeq + 1 < oldest))
        return { kind: 'reset', seq: upTo, reason: 'retention' };
      this.#sink.replaying?.();
      for (let after = lastSeq; after < upTo; ) {
        const batch = (await readChanges(this.#deps.store, after, 500)).filter((event) => event.seq <= upTo);
        if (batch.length === 0) break;
        for (const event of batch) {
          const collection = this.#deps.collections.find(event.collectionId);
          if (collection && this.#wants(collection, event.recordId)) await this.#deliver(event, collection);
          after = event.seq;
          // NB: a client gone during the read or the delivery is not asked for room: a
          // transport whose connection ended may never make any, and the replay would then
          // hold its batch for good.
          if (this.#closed) return { kind: 'resumed', seq: after };
          const room = this.#sink.room?.();
          if (room) await room;
          if (this.#closed) return { kind: 'resumed', seq: after };
        }
      }
      return { kind: 'resumed', seq: Math.max(upTo, lastSeq) };
    } finally {
      this.#replaying = false;
      const pending = this.#pending;
      this.#pending = [];
      for (const [event, collection] of pending) this.#run(() => this.#deliver(event, collection));
    }
  }

  #wants(collection: Collection, recordId: string): boolean {
    for (const subscription of this.#subscriptions.values())
      if (subscriptionMatches(subscription, collection, recordId)) return true;
    return false;
  }

  /**
   * Runs work after what is queued, synchronously when nothing is. NB: a settled piece of
   * work clears the queue only if nothing was queued behind it: clearing it regardless let
   * the next change (decided in memory, sent at once) overtake one still waiting for the
   * database, and a client saw seq 17 before seq 15.
   */
  #run(work: () => void | Promise<void>): void {
    const started = this.#tail ? this.#tail.then(work) : work();
    if (!(started instanceof Promise)) return;
    const tail: Promise<void> = started
      .catch(() => undefined)
      .finally(() => {
        if (this.#tail === tail) this.#tail = undefined;
      });
    this.#tail = tail;
  }

  #deliver(event: ChangeEvent, collection: Collection): void | Promise<void> {
    const work: Promise<void>[] = [];
    for (const subscription of this.#subscriptions.values()) {
      if (!subscriptionMatches(subscription, collection, event.recordId)) continue;
      if (this.#startsAfter.size > 0 && this.#madeAfter(subscription.id, event.seq)) continue;
      const outcome = this.#decide(subscription, event, collection);
      if (outcome instanceof Promise)
        work.push(outcome.then((decided) => this.#send(subscription, event, collection, decided)));
      else {
        const sent = this.#send(subscription, event, collection, outcome);
        if (sent) work.push(sent);
      }
    }
    if (work.length > 0) return Promise.all(work).then(() => undefined);
  }

  /** True when subscription `id` was made after change `seq` committed (so it is not sent). */
  #madeAfter(id: string, seq: number): boolean {
    const startsAfter = this.#startsAfter.get(id);
    if (startsAfter === undefined) return false;
    if (seq <= startsAfter) return true;
    this.#startsAfter.delete(id); // changes reach a client in seq order: every later one is sent
    return false;
  }

  /** 'event', 'leave' or nothing, for one subscription and one change. */
  #decide(subscription: Subscription, event: ChangeEvent, collection: Collection): Decision | Promise<Decision> {
    const principal = this.#principal;
    const seen = (record: RecordData | undefined): Visibility =>
      record ? this.#visibility.check(principal, subscription, collection, record) : false;
    if (event.action === 'delete') return this.#decideDelete(subscription, event, collection, seen(event.record));
    const after = seen(event.record);
    const before = event.action === 'update' ? seen(event.before) : false;
    const decideWith = (visibleAfter: boolean): Decision =>
      visibleAfter ? 'event' : before === true ? 'leave' : 'none';
    if (after === 'database')
      return this.#visibility.checkInDatabase(principal, subscription, collection, event.recordId).then(decideWith);
    return decideWith(after);
  }

  /** A delete is sent to whoever could see the record as it was; relation-crossing rules ask the database. */
  #decideDelete(
    subscription: Subscription,
    event: ChangeEvent,
    collection: Collection,
    visible: Visibility,
  ): Decision | Promise<Decision> {
    if (visible !== 'database') return visible ? 'event' : 'none';
    return this.#visibility
      .checkDeletedInDatabase(this.#principal, subscription, collection, event.record, event.cascadeFrom)
      .then((seen) => (seen ? 'event' : 'none'));
  }

  #send(
    subscription: Subscription,
    event: ChangeEvent,
    collection: Collection,
    decision: Decision,
  ): Promise<void> | undefined {
    if (decision === 'none' || this.#closed) return undefined;
    const base = { sub: subscription.id, topic: subscription.topic, seq: event.seq };
    if (decision === 'leave') {
      this.#sink.send({ kind: 'leave', ...base, id: event.recordId });
      return undefined;
    }
    const superuser = this.#principal.kind === 'superuser';
    const viewerId = this.#principal.kind === 'record' ? this.#principal.record.id : undefined;
    if (subscription.expand.size === 0) {
      this.#sink.send({
        kind: 'event',
        ...base,
        action: event.action,
        ...sharedPayload(this.#deps, collection, subscription, event, superuser, viewerId),
      });
      return undefined;
    }
    const json = this.#deps.codec(collection).toJson(event.record, superuser, viewerId);
    const request = {
      ...subscriptionRequest(this.#principal, subscription),
      expandBudget: this.#expandBudgetOf(event),
    };
    return expandAfterCommit(this.#deps, collection, [event.record], [json], subscription.expand, request).then(() =>
      this.#emit(subscription, base, event, json),
    );
  }

  /**
   * One change, one client: its subscriptions' expands share one answer's bound, where
   * each had its own and a client's 1,000 subscriptions could each write 32 MiB. Made
   * only where a subscription expands, so a change without expands allocates nothing.
   */
  #expandBudgetOf(event: ChangeEvent): { left: number } {
    if (this.#expandBudget?.seq !== event.seq) this.#expandBudget = { seq: event.seq, left: MAX_EXPANDED_JSON };
    return this.#expandBudget;
  }

  #emit(
    subscription: Subscription,
    base: { sub: string; topic: string; seq: number },
    event: ChangeEvent,
    json: RecordJson,
  ): void {
    const record = (subscription.fields ? pickFields(json, subscription.fields) : json) as RecordJson;
    this.#sink.send({ kind: 'event', ...base, action: event.action, record, recordJson: JSON.stringify(record) });
  }
}

type Decision = 'event' | 'leave' | 'none';

// Subscribers with the same options and the same view of a record share one payload and
// its serialization: with thousands of subscribers, an event is serialized a few times,
// not once per subscriber. Keyed by the event object, which the broker shares.
const payloads = new WeakMap<ChangeEvent, Map<string, { record: RecordJson; recordJson: string }>>();

function sharedPayload(
  deps: RecordDeps,
  collection: Collection,
  subscription: Subscription,
  event: ChangeEvent,
  superuser: boolean,
  viewerId: string | undefined,
) {
  const self = collection.type === 'auth' && viewerId === event.recordId;
  const key = `${subscription.payloadKey}|${superuser ? 's' : self ? 'o' : 'u'}`;
  let byKey = payloads.get(event);
  if (!byKey) payloads.set(event, (byKey = new Map()));
  let payload = byKey.get(key);
  if (!payload) {
    const json = deps.codec(collection).toJson(event.record, superuser, viewerId);
    const record = (subscription.fields ? pickFields(json, subscription.fields) : json) as RecordJson;
    byKey.set(key, (payload = { record, recordJson: JSON.stringify(record) }));
  }
  return payload;
}

export { guest };
