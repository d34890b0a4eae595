import type { Server, ServerOptions } from 'node:http';

/**
 * The limits and policies of the HTTP edge: timeouts, sizes, connection caps, CORS,
 * trusted proxies and compression. Every field has a default (`defaultEdgeOptions`);
 * docs/deploy.md explains each one.
 */
export interface EdgeOptions {
  /** Idle time after which a socket with no request in flight is closed (Fastify `connectionTimeout`). */
  readonly connectionTimeoutMs: number;
  /** Largest request header block, in bytes (Node's `maxHeaderSize`; 431 above it). */
  readonly maxHeaderSize: number;
  /** Open sockets the server accepts at once (`server.maxConnections`); further ones are dropped at accept. */
  readonly maxConnections: number;
  /** Origins that may read responses cross-origin: `['*']` for any (PocketBase's default). */
  readonly corsOrigins: readonly string[];
  /** Proxies (IPs, CIDRs, or proxy-addr names such as `loopback`) whose X-Forwarded-For is believed; empty: none. */
  readonly trustedProxies: readonly string[];
  /** Compress JSON and text answers of at least this many bytes; 0 turns compression off. */
  readonly compressMinBytes: number;
}

/** Tandem's defaults for the edge. */
export const defaultEdgeOptions: EdgeOptions = Object.freeze({
  connectionTimeoutMs: 30_000,
  maxHeaderSize: 16 * 1024,
  // Above the realtime caps (50,000 sockets, 10,000 streams): keep it under `ulimit -n`.
  maxConnections: 65_536,
  corsOrigins: Object.freeze(['*']),
  trustedProxies: Object.freeze([]),
  compressMinBytes: 1024,
});

/** The edge options with Tandem's defaults for what is not given. */
export function resolveEdgeOptions(given: Partial<EdgeOptions>): EdgeOptions {
  const resolved: Record<string, unknown> = {};
  for (const key of Object.keys(defaultEdgeOptions) as Array<keyof EdgeOptions>)
    resolved[key] = given[key] ?? defaultEdgeOptions[key];
  return Object.freeze(resolved as unknown as EdgeOptions);
}

/** The Fastify constructor options that carry the edge limits. */
export function edgeFastifyOptions(edge: EdgeOptions): {
  connectionTimeout: number;
  http: ServerOptions;
  trustProxy: false | string[];
} {
  return {
    connectionTimeout: edge.connectionTimeoutMs,
    // Node checks headersTimeout and requestTimeout only this often (30 s by default), so a
    // slowloris socket would otherwise outlive headersTimeout by up to that long.
    http: { maxHeaderSize: edge.maxHeaderSize, connectionsCheckingInterval: 1_000 },
    // NB: without trusted proxies X-Forwarded-For is ignored and `request.ip` is the socket
    // address, so a client cannot pick the key its rate limits are counted under.
    trustProxy: edge.trustedProxies.length > 0 ? [...edge.trustedProxies] : false,
  };
}

/** Applies the limits that live on the Node server rather than in Fastify's options. */
export function applyServerLimits(server: Server, edge: EdgeOptions): void {
  server.maxConnections = edge.maxConnections;
}
