import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';

/** Takes over one WebSocket upgrade request: refuse it, or hand it to a WebSocketServer. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

// One table per app: every WebSocket endpoint (Tandem's realtime, GraphQL) registers its
// path here, and a single 'upgrade' listener answers 404 for any other path.
const tables = new WeakMap<FastifyInstance, Map<string, UpgradeHandler>>();

/** Routes upgrades of `path` to `handler`. */
export function routeUpgrade(app: FastifyInstance, path: string, handler: UpgradeHandler): void {
  let table = tables.get(app);
  if (!table) {
    const routes = (table = new Map());
    tables.set(app, routes);
    app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      const handle = routes.get(new URL(request.url ?? '/', 'http://x').pathname);
      if (!handle) return refuseUpgrade(socket, 404, 'Not Found');
      handle(request, socket, head);
    });
  }
  table.set(path, handler);
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
