import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createHttpsRedirectServer, type HttpsRedirectTarget } from '@tandem/server';
import { toOrigin, type HostPort, type TandemConfig } from '../config/config.js';
import type { Tandem } from '../compose/tandem.js';

/** What `tandem serve` listens on, once it does. */
export interface Listeners {
  /** The origin the app is served at (`http://…` or `https://…`). */
  readonly origin: string;
  /** The plain HTTP origin that redirects to it, when there is one. */
  readonly redirectOrigin: string | undefined;
  /** The gRPC address (`HOST:PORT`, TLS when the app is HTTPS), unless gRPC is off. */
  readonly grpcAddress: string | undefined;
  /** Where each listener is bound: a port of 0 in the config is the one the OS chose. */
  readonly bound: { readonly app: HostPort; readonly redirect?: HostPort; readonly grpc?: HostPort };
  /** Stops the redirect listener (the app closes with the Tandem). */
  close(): Promise<void>;
}

/**
 * Starts listening: the app on `--http`, or with TLS on `--https`, plus, when `--http`
 * is also set, a plain listener that redirects everything to the HTTPS origin.
 */
export async function listen(tandem: Tandem): Promise<Listeners> {
  const { http, tls } = tandem.config;
  const address = (tls?.https ?? http)!;
  await tandem.app.listen({ host: address.host, port: address.port });
  const app = boundAddress(address, tandem.app.server.address());
  const origin = toOrigin(tls ? 'https' : 'http', app);
  const grpc = await listenGrpc(tandem);
  const grpcAddress = grpc && toOrigin('http', grpc).replace('http://', '');
  if (!tls || !http)
    return { origin, redirectOrigin: undefined, grpcAddress, bound: { app, grpc }, close: async () => undefined };
  const redirectServer = createHttpsRedirectServer(redirectTarget(new URL(origin)));
  redirectServer.listen(http.port, http.host);
  await once(redirectServer, 'listening');
  const redirect = boundAddress(http, redirectServer.address());
  return {
    origin,
    redirectOrigin: toOrigin('http', redirect),
    grpcAddress,
    bound: { app, redirect, grpc },
    close: () => closeServer(redirectServer),
  };
}

/**
 * The config a restart (a restore swapped in) listens with: where this start listened,
 * so that clients find the server again at the address it announced, also where the
 * config asked for a port of 0.
 */
export function pinnedToBound(config: TandemConfig, bound: Listeners['bound']): TandemConfig {
  const { tls } = config;
  return Object.freeze({
    ...config,
    http: tls ? (bound.redirect ?? config.http) : bound.app,
    tls: tls && Object.freeze({ ...tls, https: bound.app }),
    grpc: bound.grpc ?? config.grpc,
  });
}

/** Binds the gRPC listener (a port of 0 is chosen by the OS). */
async function listenGrpc(tandem: Tandem): Promise<HostPort | undefined> {
  const { grpc } = tandem.config;
  if (!grpc || !tandem.grpc) return undefined;
  const port = await tandem.grpc.listen(grpc.host, grpc.port);
  return { host: grpc.host, port };
}

/**
 * Redirects keep the request's host name and switch to the HTTPS port (so
 * `http://localhost:8080/x` goes to `https://localhost:8443/x`); a request without a
 * usable Host goes to the HTTPS listener's own address.
 */
function redirectTarget(served: URL): HttpsRedirectTarget {
  const wildcard = ['0.0.0.0', '[::]'].includes(served.hostname);
  return { port: Number(served.port || 443), fallbackHost: wildcard ? 'localhost' : served.hostname };
}

function boundAddress(configured: HostPort, bound: string | AddressInfo | null): HostPort {
  return typeof bound === 'object' && bound ? { host: configured.host, port: bound.port } : configured;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
