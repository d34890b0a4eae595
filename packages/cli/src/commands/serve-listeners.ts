import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createHttpsRedirectServer, type HttpsRedirectTarget } from '@tandem/server';
import { toOrigin, type HostPort } from '../config/config.js';
import type { Tandem } from '../compose/tandem.js';

/** What `tandem serve` listens on, once it does. */
export interface Listeners {
  /** The origin the app is served at (`http://…` or `https://…`). */
  readonly origin: string;
  /** The plain HTTP origin that redirects to it, when there is one. */
  readonly redirectOrigin: string | undefined;
  /** The gRPC address (`HOST:PORT`, TLS when the app is HTTPS), unless gRPC is off. */
  readonly grpcAddress: string | undefined;
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
  const origin = toOrigin(tls ? 'https' : 'http', boundAddress(address, tandem.app.server.address()));
  const grpcAddress = await listenGrpc(tandem);
  if (!tls || !http) return { origin, redirectOrigin: undefined, grpcAddress, close: async () => undefined };
  const redirect = createHttpsRedirectServer(redirectTarget(new URL(origin)));
  redirect.listen(http.port, http.host);
  await once(redirect, 'listening');
  return {
    origin,
    redirectOrigin: toOrigin('http', boundAddress(http, redirect.address())),
    grpcAddress,
    close: () => closeServer(redirect),
  };
}

/** Binds the gRPC listener (a port of 0 is chosen by the OS) and names its address. */
async function listenGrpc(tandem: Tandem): Promise<string | undefined> {
  const { grpc } = tandem.config;
  if (!grpc || !tandem.grpc) return undefined;
  const port = await tandem.grpc.listen(grpc.host, grpc.port);
  return toOrigin('http', { host: grpc.host, port }).replace('http://', '');
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
