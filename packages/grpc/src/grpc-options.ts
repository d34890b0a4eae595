/** The gRPC listener's limits; Tandem's defaults (`defaultGrpcOptions`) for what is not given. */
export interface GrpcOptions {
  /** The largest message a client may send (RESOURCE_EXHAUSTED above it), in bytes. */
  readonly maxReceiveBytes: number;
  /** The largest message the server sends (a huge expanded page is refused rather than sent). */
  readonly maxSendBytes: number;
  /** Concurrent calls on one HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS). */
  readonly maxConcurrentStreams: number;
  /** Ping an idle-looking connection this often, and drop it when a ping goes unanswered for the timeout. */
  readonly keepaliveTimeMs: number;
  readonly keepaliveTimeoutMs: number;
  /** Close a connection that had no call for this long (the client reconnects when it needs to). */
  readonly maxConnectionIdleMs: number;
  /** Cut a Watch stream off when its unsent changes stay over this many bytes for 30 s, or grow 16 times it further. */
  readonly watchMaxBufferedBytes: number;
  /** Open Watch streams in total and from one client address. */
  readonly watchMaxStreams: number;
  readonly watchMaxStreamsPerIp: number;
}

const MiB = 1024 * 1024;

/** Tandem's defaults: a user's REST body limit for messages, WebSocket-like bounds for Watch. */
export const defaultGrpcOptions: GrpcOptions = Object.freeze({
  maxReceiveBytes: 4 * MiB,
  maxSendBytes: 32 * MiB,
  maxConcurrentStreams: 100,
  keepaliveTimeMs: 60_000,
  keepaliveTimeoutMs: 20_000,
  maxConnectionIdleMs: 5 * 60_000,
  watchMaxBufferedBytes: 4 * MiB,
  watchMaxStreams: 50_000,
  watchMaxStreamsPerIp: 500,
});

/** The grpc-js server options of Tandem's limits. */
export function toServerOptions(options: GrpcOptions) {
  return {
    'grpc.max_receive_message_length': options.maxReceiveBytes,
    'grpc.max_send_message_length': options.maxSendBytes,
    'grpc.max_concurrent_streams': options.maxConcurrentStreams,
    'grpc.keepalive_time_ms': options.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': options.keepaliveTimeoutMs,
    'grpc.max_connection_idle_ms': options.maxConnectionIdleMs,
  };
}
