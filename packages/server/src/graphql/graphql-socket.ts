import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { CountsPerAddress, type AuthService } from '@tandem/core';
import { RealtimeCloseCode } from '@tandem/protocol';
import { heartbeat } from '../realtime/ws-connection.js';
import { checkHandshake, type HandshakeResult } from '../realtime/ws-handshake.js';
import { acceptUpgrade, createSocketServer, refuseUpgrade, routeUpgrade } from '../realtime/ws-upgrades.js';
import { GRAPHQL_PATH, type GraphqlTransport } from './graphql-transport.js';

/** The subprotocol of graphql-ws. */
export const GRAPHQL_WS_PROTOCOL = 'graphql-transport-ws';

/** Settings of the GraphQL socket endpoint (the WebSocket settings of the server). */
export interface GraphqlSocketOptions {
  readonly maxMessageBytes: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerIp: number;
  readonly heartbeatMs: number;
  readonly trustedOrigins: readonly string[];
}

/**
 * WebSocket upgrades of `/api/graphql`. The same checks as Tandem's realtime socket run
 * before the upgrade (Origin, credentials in an Authorization header or a session cookie,
 * the connection caps, in all and per address); `connection_init` may then carry a token. Dead peers are found by
 * pings and closed.
 */
export function registerGraphqlSocket(
  app: FastifyInstance,
  graphql: GraphqlTransport,
  auth: AuthService | undefined,
  options: GraphqlSocketOptions,
): void {
  const wss = createSocketServer(options.maxMessageBytes, GRAPHQL_WS_PROTOCOL);
  // NB: the realtime socket's caps, counted apart: each endpoint has its own 500 per address.
  const counts = new CountsPerAddress({ total: options.maxConnections, perAddress: options.maxConnectionsPerIp });
  routeUpgrade(app, GRAPHQL_PATH, (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const ip = request.socket.remoteAddress ?? '';
    if (counts.full(ip)) return refuseUpgrade(socket, 429, 'Too Many Requests');
    void checkHandshake(request, auth, options.trustedOrigins).then(
      (result) => {
        if (!result.ok) return refuseUpgrade(socket, result.status, result.reason);
        acceptUpgrade(app, wss, { request, socket, head }, (ws) => {
          // NB: full() was checked before the handshake; a handshake that finished meanwhile may have filled it.
          const release = counts.admit(ip);
          if (!release) return ws.close(1013, 'Try again later');
          ws.once('close', release);
          serve(ws, graphql, result, options.heartbeatMs);
        });
      },
      () => refuseUpgrade(socket, 500, 'Internal Server Error'),
    );
  });
  app.addHook('onClose', async () => wss.close());
}

function serve(
  ws: WebSocket,
  graphql: GraphqlTransport,
  start: Extract<HandshakeResult, { ok: true }>,
  heartbeatMs: number,
): void {
  const closed = graphql.openSocket(
    {
      protocol: ws.protocol,
      send: (data) => new Promise((resolve, reject) => ws.send(data, (error) => (error ? reject(error) : resolve()))),
      close: (code, reason) => ws.close(code, reason),
      onMessage: (handler) =>
        ws.on('message', (data) => void handler(String(data)).catch(() => ws.close(1011, 'Internal server error'))),
    },
    {
      principal: start.principal,
      credential: start.credential,
      // A subscriber that stopped reading: closed as Tandem's realtime socket closes one.
      slowConsumer: () => {
        ws.close(RealtimeCloseCode.SLOW_CONSUMER, 'slow consumer');
        ws.terminate();
      },
    },
  );
  const stopHeartbeat = heartbeat(ws, heartbeatMs);
  ws.once('close', (code, reason) => {
    stopHeartbeat();
    void closed(code, reason.toString());
  });
}
