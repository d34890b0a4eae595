import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { REALTIME_SUBPROTOCOL } from '@tandem/protocol';
import {
  backlogLimits,
  CountsPerAddress,
  type ActionDispatcher,
  type AuthService,
  type BatchSettings,
  type CallWatcher,
  type RealtimeBroker,
} from '@tandem/core';
import type { BodyLimits } from '../edge/body-limits.js';
import type { BodyBudget } from '../edge/body-budget.js';
import { checkHandshake } from './ws-handshake.js';
import { acceptUpgrade, createSocketServer, refuseUpgrade, routeUpgrade } from './ws-upgrades.js';
import { serveConnection, type SocketLimits } from './ws-connection.js';

/** The WebSocket endpoint's settings. */
export interface WebSocketOptions extends SocketLimits {
  /** Largest accepted message; bigger ones close the socket with 1009. */
  readonly maxMessageBytes: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerIp: number;
  readonly trustedOrigins: readonly string[];
}

/**
 * Defaults: 1 MiB messages; 4 MiB unsent per client, or more for at most 30 s and never
 * 64 MiB more than when it went over (see BacklogBound); 30 s heartbeats; 50,000 sockets
 * (500 per address).
 */
export const defaultWebSocketOptions: WebSocketOptions = Object.freeze({
  maxMessageBytes: 1024 * 1024,
  ...backlogLimits(4 * 1024 * 1024),
  heartbeatMs: 30_000,
  maxConnections: 50_000,
  maxConnectionsPerIp: 500,
  trustedOrigins: [],
});

/** What the endpoint serves from. */
export interface WebSocketServices {
  readonly broker: RealtimeBroker;
  readonly auth: AuthService | undefined;
  readonly actions: ActionDispatcher;
  readonly batchSettings: () => BatchSettings;
  readonly bodyLimits: BodyLimits;
  readonly bodyBudget: BodyBudget;
  /** Who watches the request flow: request frames are reported to it while it watches. */
  readonly watcher?: CallWatcher;
}

/** The path of Tandem's WebSocket endpoint. */
export const WEBSOCKET_PATH = '/api/ws';

/**
 * Tandem's WebSocket endpoint (`GET /api/ws`, subprotocol `tandem.v1`). Every check that
 * can refuse a socket — path, connection caps, Origin, credentials — runs before the
 * upgrade, and answers with a plain HTTP status; the `ws` library then enforces frame
 * rules (1002 protocol errors, 1007 invalid UTF-8, 1009 oversized messages).
 */
export function registerWebSocket(
  app: FastifyInstance,
  services: WebSocketServices,
  options: WebSocketOptions = defaultWebSocketOptions,
): void {
  const wss = createSocketServer(options.maxMessageBytes, REALTIME_SUBPROTOCOL);
  const counts = new CountsPerAddress({ total: options.maxConnections, perAddress: options.maxConnectionsPerIp });
  routeUpgrade(app, WEBSOCKET_PATH, (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const ip = request.socket.remoteAddress ?? '';
    if (counts.full(ip)) return refuseUpgrade(socket, 429, 'Too Many Requests');
    void checkHandshake(request, services.auth, options.trustedOrigins).then(
      (result) => {
        if (!result.ok) return refuseUpgrade(socket, result.status, result.reason);
        acceptUpgrade(app, wss, { request, socket, head }, (ws) => {
          // NB: full() was checked before the handshake; a handshake that finished meanwhile may have filled it.
          const release = counts.admit(ip);
          if (!release) return ws.close(1013, 'Try again later');
          ws.on('close', release);
          const secure = (request.socket as { encrypted?: boolean }).encrypted === true;
          serveConnection(ws, socket, { ...services, secure }, result.principal, result.credential, options);
        });
      },
      () => refuseUpgrade(socket, 500, 'Internal Server Error'),
    );
  });
  app.addHook('onClose', async () => wss.close());
}
