import { randomBytes } from 'node:crypto';
import type { GraphQLFieldResolver } from 'graphql';
import { AppError, backlogLimits, type Delivery, type RealtimeClient, type RealtimeSink } from '@tandem/core';
import type { GraphqlContext, SubscriptionServices } from './graphql-context.js';
import { EventQueue } from './event-queue.js';

/** One event of a `posts` subscription: what happened, its change-log position, and the record. */
export interface RecordEvent {
  readonly action: 'create' | 'update' | 'delete' | 'leave';
  readonly seq: string;
  readonly record: Record<string, unknown>;
  /** About the JSON the record takes (its serialized length), to bound what waits unsent. */
  readonly bytes: number;
}

/**
 * What a subscription's events may hold while its subscriber does not take them: the
 * realtime WebSocket's bounds on unsent data, and a thousand events.
 */
const UNSENT_LIMITS = { ...backlogLimits(4 * 1024 * 1024), maxBufferedFrames: 1000 };

type Args = { id?: string | null; filter?: string | null; since?: string | null };

/**
 * `subscription { posts(id, filter, since) }` over the realtime broker. Each subscription
 * is a broker client of its own, acting for the socket's principal: the broker checks the
 * list rule (or the view rule, with `id`) and the filter per subscriber, and rechecks the
 * credential when its record changes. `since` replays the change log after that position,
 * as fast as the subscriber reads, then live changes follow: in `seq` order once each, no
 * gap, no duplicate. The resolver answers once the replay has begun (or a `reset` refused it).
 */
export function subscribeResolver(collection: string): GraphQLFieldResolver<unknown, GraphqlContext, Args> {
  return async (_source, args, context) => {
    const realtime = context.realtime;
    if (!realtime)
      throw new AppError('BAD_REQUEST', 'Subscriptions need the realtime broker and the WebSocket endpoint.');
    const since = parseSince(args.since);
    const stream = new RecordEventStream(realtime, context);
    try {
      stream.start(collection, args);
      if (since !== undefined) await stream.resume(since);
    } catch (error) {
      await stream.return();
      throw error;
    }
    return stream.events;
  };
}

/** The payload of each event is the event itself. */
export const eventOf = (event: RecordEvent, _args: unknown, context: GraphqlContext): RecordEvent => {
  // NB: one context serves every event of a subscription. Each event's relations are read
  // afresh, as the caller may view them now (a related record read for an earlier event
  // may have changed, or been hidden from the caller since), and what the last event's
  // relations held goes back to the budget.
  context.loaders.nextEvent();
  return event;
};

class RecordEventStream {
  readonly events: EventQueue<RecordEvent>;
  readonly #client: RealtimeClient;
  readonly #broker: SubscriptionServices['broker'];
  #held: RecordEvent[] | undefined;
  #lastSeq = -1;
  /** Called when the broker's resume begins its replay (see RealtimeSink.replaying). */
  #replayBegins: (() => void) | undefined;

  constructor(realtime: SubscriptionServices, context: GraphqlContext) {
    this.#broker = realtime.broker;
    const sink: RealtimeSink = {
      transport: 'graphql',
      send: (delivery) => this.#take(toEvent(delivery)),
      room: () => this.events.room(),
      replaying: () => this.#replayBegins?.(),
      // The server ends the subscription (every connection dropped, or too many live
      // changes held behind a slow replay): the subscriber subscribes again with `since`.
      disconnect: () =>
        this.events.fail(
          new AppError(
            'UNAVAILABLE',
            'The server ended the subscription; subscribe again with since set to the last seq.',
          ),
        ),
    };
    this.#client = realtime.broker.connect(sink, context.request.principal, realtime.credential);
    this.events = new EventQueue(() => this.#broker.disconnect(this.#client), {
      limits: UNSENT_LIMITS,
      sizeOf: (event) => event.bytes,
      overflowed: () => realtime.slowConsumer?.(),
    });
  }

  start(collection: string, args: Args): void {
    const topic = `${collection}/${args.id ?? '*'}`;
    const options = typeof args.filter === 'string' && args.filter !== '' ? { filter: args.filter } : undefined;
    this.#broker.subscribe(this.#client, randomBytes(8).toString('hex'), topic, options);
  }

  /**
   * Resumes after `since`; settles once the replay has begun (the subscriber then pulls
   * what it replays, and the replay waits for room: see EventQueue.room), or once a `reset`
   * ended the stream. What arrived before is held, and dropped when the replay begins: it
   * all comes again in it. A failure later in the replay ends the stream with it.
   */
  async resume(since: number): Promise<void> {
    this.#held = [];
    this.#lastSeq = since;
    const begun = new Promise<void>((resolve) => {
      this.#replayBegins = () => {
        this.#held = undefined;
        resolve();
      };
    });
    const done = this.#client.resume(since, this.#broker.seq).then((result) => {
      this.#held = undefined;
      if (result.kind === 'reset')
        this.events.fail(
          new AppError(
            'BAD_REQUEST',
            result.reason === 'ahead'
              ? 'since is past every change this database logged (it was restored, or is a new one); read again.'
              : 'since is older than the change log keeps; read again.',
          ),
        );
    });
    await Promise.race([begun, done]);
    done.catch((error: unknown) => this.events.fail(error));
  }

  return(): Promise<unknown> {
    return this.events.return();
  }

  #take(event: RecordEvent): void {
    if (this.#held) return void this.#held.push(event);
    const seq = Number(event.seq);
    if (seq <= this.#lastSeq) return; // replayed and then seen live (or the other way round)
    this.#lastSeq = seq;
    this.events.push(event);
  }
}

function toEvent(delivery: Delivery): RecordEvent {
  const seq = String(delivery.seq);
  if (delivery.kind === 'leave') return { action: 'leave', seq, record: { id: delivery.id }, bytes: 64 };
  return { action: delivery.action, seq, record: delivery.record, bytes: delivery.recordJson.length };
}

function parseSince(since: string | null | undefined): number | undefined {
  if (since === undefined || since === null) return undefined;
  const seq = Number(since);
  if (!/^\d{1,15}$/.test(since) || !Number.isSafeInteger(seq))
    throw new AppError('BAD_REQUEST', 'since is a change-log position (a whole number).');
  return seq;
}
