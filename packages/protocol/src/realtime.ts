/**
 * Tandem's WebSocket protocol (`GET /api/ws`, subprotocol `tandem.v1`): JSON text frames,
 * one message per frame. docs/realtime.md has the table of every message with examples.
 */
import type { ErrorResponseBody } from './errors.js';
import type { RecordModel } from './records.js';

/** The WebSocket subprotocol a client asks for. */
export const REALTIME_SUBPROTOCOL = 'tandem.v1';

/** What happened to a record. */
export type RealtimeAction = 'create' | 'update' | 'delete';

/** Options of a subscription, as in PocketBase's realtime (`filter`, `expand`, `fields`), plus values rules may read. */
export interface SubscriptionOptions {
  filter?: string;
  expand?: string;
  fields?: string;
  /** `@request.query.*` for the rules and filter of this subscription. */
  query?: Record<string, string>;
  /** `@request.headers.*` for the rules and filter of this subscription. */
  headers?: Record<string, string>;
}

/** The record actions a client may run over the socket; they go through the same core actions and rules as REST. */
export type SocketRequestAction = 'list' | 'view' | 'create' | 'update' | 'delete' | 'batch';

/** Messages a client sends. `id`s are chosen by the client and echoed in the answers. */
export type ClientMessage =
  /** Authenticate, or swap in a refreshed token, on the open socket. An empty token signs out (guest). */
  | { type: 'auth'; id?: string; token: string }
  /** Subscribe to `collection/*` or `collection/<recordId>` (collection by name or id). */
  | { type: 'subscribe'; id: string; topic: string; options?: SubscriptionOptions }
  | { type: 'unsubscribe'; id: string }
  /**
   * Replay every event after `lastSeq` that the current subscriptions may see, in order
   * and exactly once, then continue live; or `reset` when `lastSeq` is beyond retention.
   * Send it after re-subscribing.
   */
  | { type: 'resume'; lastSeq: number }
  | {
      type: 'request';
      id: string;
      action: SocketRequestAction;
      collection?: string;
      recordId?: string;
      body?: unknown;
      query?: Record<string, string>;
    }
  | { type: 'ping'; id?: string };

/** Who the socket acts for, as the server sees it. */
export type SocketPrincipal =
  | { kind: 'guest' }
  | { kind: 'superuser'; id: string }
  | { kind: 'record'; collectionId: string; id: string };

/** Messages the server sends. */
export type ServerMessage =
  /** First message: the connection id, the newest change sequence, and the heartbeat interval. */
  | { type: 'welcome'; clientId: string; seq: number; heartbeatMs: number; principal: SocketPrincipal }
  | { type: 'auth'; id?: string; principal: SocketPrincipal }
  | { type: 'subscribed'; id: string; topic: string }
  | { type: 'unsubscribed'; id: string }
  /** A change the subscription may see; `seq` orders every change of the database. */
  | { type: 'event'; sub: string; seq: number; action: RealtimeAction; record: RecordModel }
  /**
   * A message on an application's own topic (a server hook's `realtime.publish`), for the
   * subscription `sub`. Not part of the change sequence: it is not replayed on resume.
   */
  | { type: 'message'; sub: string; topic: string; data: unknown }
  /** An update moved a record out of what the subscription may see: only its id. */
  | { type: 'leave'; sub: string; seq: number; id: string }
  /** The replay after `resume` is complete: events up to `seq` were sent. */
  | { type: 'resumed'; seq: number }
  /**
   * No replay from `lastSeq`: refetch, then continue from `seq` (which may be below
   * `lastSeq`). `retention`: the change log no longer reaches back to it; `ahead`: it is
   * past everything this database logged (restored from a backup, or a new one).
   */
  | { type: 'reset'; seq: number; reason: 'retention' | 'ahead' }
  | { type: 'response'; id: string; status: number; body: unknown }
  /** A refused message (`id` of the message when it had one). */
  | { type: 'error'; id?: string; status: number; code: string; message: string; data: ErrorResponseBody['data'] }
  | { type: 'pong'; id?: string };

/** WebSocket close codes Tandem uses besides the standard ones (1000, 1002, 1007, 1009, 1011). */
export const RealtimeCloseCode = {
  /** The client did not keep up: its send buffer passed the bound. */
  SLOW_CONSUMER: 4008,
  /** The socket's credentials were revoked and it had no guest fallback (session sockets). */
  REVOKED: 4401,
  /** A malformed or unknown message. */
  BAD_MESSAGE: 4400,
  /** Too many connections from this address or in total. */
  TOO_MANY_CONNECTIONS: 4429,
} as const;
