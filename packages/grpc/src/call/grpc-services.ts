import type {
  ActionDispatcher,
  AuthRateLimits,
  AuthService,
  BacklogLimits,
  CallWatcher,
  RealtimeBroker,
} from '@tandem/core';

/** Where the gRPC adapter writes faults it hides from clients; Tandem's JSON logger fits. */
export interface GrpcLogger {
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The limits of Watch streams. */
export interface WatchLimits {
  /** When a stream's reader does not keep up with its unsent changes (see BacklogBound), and is cut off. */
  readonly backlog: BacklogLimits;
  /** Open Watch streams in total, and from one client address. */
  readonly maxStreams: number;
  readonly maxStreamsPerIp: number;
}

/** What the gRPC services call: the core's one action layer and its realtime broker; nothing else decides. */
export interface GrpcServices {
  readonly actions: ActionDispatcher;
  /** Verifies tokens; without it every call is a guest and a token is refused. */
  readonly auth?: AuthService;
  /** The broker behind Watch; without it Watch is UNIMPLEMENTED. */
  readonly realtime?: RealtimeBroker;
  /** The auth rate limits, over the limiter HTTP uses too. */
  readonly authLimits: AuthRateLimits;
  readonly logger: GrpcLogger;
  readonly watch: WatchLimits;
  /** Who watches the request flow, if anyone may. */
  readonly watcher?: CallWatcher;
  /** The listener speaks TLS (what the Flow stream shows of the connection). */
  readonly tls?: boolean;
}
