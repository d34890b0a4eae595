import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Where plain HTTP requests are sent. */
export interface HttpsRedirectTarget {
  /** The HTTPS origin to send every request to; when absent, the request's own host name on `port`. */
  readonly origin?: string;
  /** The HTTPS port, used with the request's host name. */
  readonly port: number;
  /** The host name used when a request has no usable Host header. */
  readonly fallbackHost: string;
}

/** A host name or a bracketed IPv6 address, then an optional port: nothing else may reach a Location. */
const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::\d{1,5})?$/;

/**
 * A plain HTTP server that answers every request with a 308 to the same path and query
 * on the HTTPS origin (308 keeps the method and body, unlike 301). It sends no HSTS:
 * browsers ignore it over plain HTTP (RFC 6797 §8.1).
 *
 * @example
 * createHttpsRedirectServer({ port: 8443, fallbackHost: 'localhost' }).listen(8080, '127.0.0.1');
 */
export function createHttpsRedirectServer(target: HttpsRedirectTarget): Server {
  const server = createServer((request, response) => redirect(request, response, target));
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

function redirect(request: IncomingMessage, response: ServerResponse, target: HttpsRedirectTarget): void {
  const location = `${target.origin ?? originFor(request.headers.host, target)}${pathAndQuery(request.url)}`;
  response.writeHead(308, { location, 'content-length': '0', 'cache-control': 'no-store' });
  response.end();
}

function originFor(host: string | undefined, target: HttpsRedirectTarget): string {
  const name = (host !== undefined && HOST.exec(host)?.[1]) || target.fallbackHost;
  return `https://${name}${target.port === 443 ? '' : `:${target.port}`}`;
}

/** The path and query of an origin-form or absolute-form request target. */
function pathAndQuery(url: string | undefined): string {
  if (url === undefined || url === '') return '/';
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  try {
    const parsed = new URL(url, 'http://x');
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return '/';
  }
}
