import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';

/** Takes over one WebSocket upgrade request: refuse it, or hand it to a WebSocketServer. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Close code of a socket the server ends because it stops or restarts (1012, Service
 * Restart): the client reconnects, to another instance or once this one is back, and
 * resumes from its last seq.
 */
export const SERVER_RESTART = 1012;
/** How long a socket the server ends may take to answer its close frame before it is cut. */
const CLOSE_GRACE_MS = 2_000;

/** One app's WebSocket endpoints (Tandem's realtime, GraphQL): their paths, their open sockets. */
interface AppSockets {
  readonly routes: Map<string, UpgradeHandler>;
  readonly open: Set<WebSocket>;
  closing: boolean;
}

const apps = new WeakMap<FastifyInstance, AppSockets>();

/**
 * The app's sockets, made at its first endpoint: a single 'upgrade' listener answers 404
 * for a path no endpoint registered, and 503 once the app closes. Closing the app ends
 * every open socket. NB: neither Node nor `ws` ends an upgraded connection when the
 * server closes, and the server's close waits for every connection: one open socket
 * kept a stop or a restore's restart waiting for as long as its client stayed.
 */
function socketsOf(app: FastifyInstance): AppSockets {
  const known = apps.get(app);
  if (known) return known;
  const sockets: AppSockets = { routes: new Map(), open: new Set(), closing: false };
  apps.set(app, sockets);
  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (sockets.closing) return refuseUpgrade(socket, 503, 'Service Unavailable');
    const handle = sockets.routes.get(new URL(request.url ?? '/', 'http://x').pathname);
    if (!handle) return refuseUpgrade(socket, 404, 'Not Found');
    handle(request, socket, head);
  });
  app.addHook('preClose', (done) => {
    sockets.closing = true;
    for (const ws of sockets.open) endSocket(ws);
    done();
  });
  return sockets;
}

/** Routes upgrades of `path` to `handler`. */
export function routeUpgrade(app: FastifyInstance, path: string, handler: UpgradeHandler): void {
  socketsOf(app).routes.set(path, handler);
}

/**
 * Completes an upgrade on `wss` and hands the socket to `serve`, keeping it until it
 * closes so that closing the app ends it. A handshake that completes while the app
 * closes (credentials are checked before the upgrade, which takes a while) is ended at
 * once, unserved.
 */
export function acceptUpgrade(
  app: FastifyInstance,
  wss: WebSocketServer,
  upgrade: { request: IncomingMessage; socket: Duplex; head: Buffer },
  serve: (ws: WebSocket) => void,
): void {
  const sockets = socketsOf(app);
  wss.handleUpgrade(upgrade.request, upgrade.socket, upgrade.head, (ws) => {
    if (sockets.closing) return endSocket(ws);
    sockets.open.add(ws);
    ws.once('close', () => sockets.open.delete(ws));
    serve(ws);
  });
}

/** Ends a socket because the server stops: a close frame, then the connection is cut if the client does not answer. */
function endSocket(ws: WebSocket): void {
  ws.close(SERVER_RESTART, 'Server restarting');
  setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
}

/** Answers an upgrade with a plain HTTP status and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

/**
 * A WebSocketServer for upgrades routed here: no server of its own, no compression (a
 * decompression bomb costs nothing to send), no client set, and only `subprotocol`.
 */
export function createSocketServer(maxPayload: number, subprotocol: string): WebSocketServer {
  return new WebSocketServer({
    noServer: true,
    maxPayload,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (protocols) => (protocols.has(subprotocol) ? subprotocol : false),
  });
}
