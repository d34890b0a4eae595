import type { RealtimeAction, RecordModel, SubscriptionOptions } from '@tandem/protocol';

/** What a subscriber receives: a change, or a record leaving what it may see (only its id). */
export type RealtimeEvent<T = RecordModel> =
  | { action: RealtimeAction; record: T; seq: number }
  | { action: 'leave'; id: string; seq: number };

/** Options of `collection(...).subscribe`. */
export interface SubscribeOptions extends SubscriptionOptions {
  /**
   * Called when the server could not replay what was missed while disconnected (the
   * change log no longer holds it): refetch what the subscription shows.
   */
  onReset?: () => void;
}

/** One subscription as the realtime client keeps it across reconnects. */
export interface RealtimeSubscription {
  readonly id: string;
  readonly topic: string;
  readonly options: SubscriptionOptions;
  // biome-ignore lint/suspicious/noExplicitAny: one registry holds the callbacks of every record type
  readonly callback: (event: RealtimeEvent<any>) => void;
  readonly onReset: (() => void) | undefined;
  /** For an application's own topic: called with each message a server hook publishes on it. */
  readonly onMessage?: (data: unknown) => void;
  /** The seq of the last event delivered to it; events at or below it are duplicates. */
  lastSeq: number;
}
