/**
 * The Flow stream (`GET /api/flow`, Server-Sent Events): what the admin UI's Flow page
 * draws. Each `flow` event's data is a FlowFrame. See docs/admin.md.
 */

/** One rule decision: bypassed by a superuser, open (`""`), applied as a condition, or locked (refused). */
export interface FlowRuleDecision {
  readonly collection: string;
  readonly rule: string;
  readonly outcome: 'superuser' | 'open' | 'condition' | 'locked';
}

/** How a request reached the server. */
export interface FlowConnection {
  /** `1.1` or `2.0`. */
  readonly http: string;
  readonly tls: boolean;
  /** False for the first request seen on its socket while the stream was watched. */
  readonly reused: boolean;
}

/** Where the request's time went, in milliseconds (the numbers behind Server-Timing). */
export interface FlowTimings {
  /** Arrival to the route handler: edge, timing, body limits, principal. */
  readonly edgeMs: number | undefined;
  /** Resolving a token or session cookie (absent without credentials). */
  readonly authMs: number | undefined;
  /** Time in the store, summed over the request's store calls (Server-Timing `db`). */
  readonly dbMs: number;
  /** Arrival to the answer leaving (Server-Timing `total`). */
  readonly totalMs: number;
}

/**
 * One answered request, as the Flow page draws it: an HTTP request, or a call over the
 * realtime WebSocket or gRPC (method `WS` or `CALL`, the action or gRPC method as path).
 */
export interface FlowRequestEvent {
  readonly type: 'request';
  readonly id: string;
  /** Milliseconds since the epoch, when the answer left. */
  readonly at: number;
  /** `rest`, `graphql`, `batch`, `websocket` (a request frame on the realtime socket) or `grpc`. */
  readonly transport: string;
  readonly method: string;
  /** The URL path, without the query (the query may hold filter values). */
  readonly path: string;
  /** The route pattern, e.g. `/api/collections/:collection/records`. */
  readonly route: string;
  readonly status: number;
  readonly collection: string | undefined;
  readonly recordId: string | undefined;
  /** `guest`, `superuser` or `user:<collection>`. */
  readonly principal: string;
  readonly connection: FlowConnection;
  /** The response cache's outcome (Server-Timing `cache`). */
  readonly cache: string;
  readonly rules: readonly FlowRuleDecision[];
  readonly timings: FlowTimings;
  /** Bytes of the body sent (before compression); 0 when unknown. */
  readonly bytes: number;
}

/** One committed change and its realtime fan-out. */
export interface FlowChangeEvent {
  readonly type: 'change';
  readonly at: number;
  readonly seq: number;
  readonly collection: string;
  readonly recordId: string;
  readonly action: string;
  /** Connected realtime clients the change was checked for. */
  readonly clients: number;
  /** Deliveries per transport (`websocket`, `sse`, `grpc`, `graphql`): subscribers the rules let see it. */
  readonly delivered: Readonly<Record<string, number>>;
}

/** What the Flow stream carries. */
export type FlowEvent = FlowRequestEvent | FlowChangeEvent;

/** One frame of the stream: the events since the last one, and how many were dropped for a slow reader. */
export interface FlowFrame {
  readonly events: readonly FlowEvent[];
  readonly dropped: number;
}
