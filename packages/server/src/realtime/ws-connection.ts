import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { RealtimeCloseCode, type ClientMessage, type ServerMessage, type SocketPrincipal } from '@tandem/protocol';
import {
  AppError,
  BacklogBound,
  guest,
  jsonDocumentError,
  type AuthService,
  type BacklogLimits,
  type Principal,
  type RealtimeBroker,
  type RealtimeClient,
} from '@tandem/core';
import { toErrorBody } from '../http/error-body.js';
import { runSocketRequest, type SocketRequestServices } from './ws-requests.js';
import { createMessageGate } from './ws-message-gate.js';
import { wireFrameOf } from './ws-event-frames.js';
import type { BodyBudget } from '../edge/body-budget.js';

/** Limits of one socket: a reader that does not keep up (see BacklogBound) is closed with 4008. */
export interface SocketLimits extends BacklogLimits {
  readonly heartbeatMs: number;
}

/** What a connection needs from the app. */
export interface ConnectionServices extends SocketRequestServices {
  readonly broker: RealtimeBroker;
  readonly auth: AuthService | undefined;
  /** The bytes guests' and users' messages (and HTTP bodies) may hold at once. */
  readonly bodyBudget: BodyBudget;
  /** The socket came over TLS (what the Flow stream shows of the connection). */
  readonly secure?: boolean;
}

/**
 * Serves one open socket: Tandem's protocol messages in, events and answers out. Every
 * action goes through the broker (subscriptions) or core (requests) with the socket's
 * current principal; this file only parses, dispatches and writes. `stream` is the
 * upgraded connection under `socket`: events are written to it as whole frames.
 */
export function serveConnection(
  socket: WebSocket,
  stream: Writable,
  services: ConnectionServices,
  principal: Principal,
  credential: Parameters<RealtimeBroker['connect']>[2],
  limits: SocketLimits,
): void {
  // NB: two judges of the same unsent bytes. Events may fall far behind for a while (a
  // large change is being taken in, and their frames are shared by every socket). Answers
  // are each socket's own, and a client that sends requests without reading the answers
  // could fill memory with them: past the bound they may add only the bound again.
  const eventBacklog = new BacklogBound(limits);
  const answerBacklog = new BacklogBound({ ...limits, maxBacklogBytes: limits.maxBufferedBytes });
  /** False (and the socket closed) when it cannot take more now: closed, closing, or a reader that does not keep up. */
  const writable = (backlog: BacklogBound) => {
    if (socket.readyState !== socket.OPEN) return false;
    if (backlog.admits(socket.bufferedAmount)) return true;
    socket.close(RealtimeCloseCode.SLOW_CONSUMER, 'slow consumer');
    socket.terminate();
    return false;
  };
  const send = (message: ServerMessage) => {
    if (writable(answerBacklog)) socket.send(JSON.stringify(message), { binary: false });
  };
  const client = services.broker.connect(
    {
      transport: 'websocket',
      // NB: an event is written as the whole frame, shared by every socket it goes to
      // (wireFrameOf), on the upgraded stream `ws` writes its own frames to, in call
      // order. Safe because `ws` queues nothing of its own here: without compression it
      // writes each frame as it is sent, and `bufferedAmount` counts what waits on the stream.
      send: (delivery) => {
        if (writable(eventBacklog)) stream.write(wireFrameOf(delivery));
      },
      room: () =>
        socket.readyState === socket.OPEN && !eventBacklog.within(socket.bufferedAmount)
          ? drained(stream, socket)
          : undefined,
      principalChanged: (next) => send({ type: 'auth', principal: socketPrincipal(next) }),
      disconnect: () => socket.close(1012, 'reconnect'),
      publish: (topic, data, subs) => {
        for (const sub of subs) send({ type: 'message', sub, topic, data });
        return socket.readyState === socket.OPEN;
      },
    },
    principal,
    credential,
  );
  send({
    type: 'welcome',
    clientId: client.id,
    seq: services.broker.seq,
    heartbeatMs: limits.heartbeatMs,
    principal: socketPrincipal(principal),
  });
  const stopHeartbeat = heartbeat(socket, limits.heartbeatMs);
  const admit = createMessageGate(socket, services.bodyBudget);
  socket.on('message', (data, isBinary) => {
    if (isBinary) return socket.close(1003, 'text frames only');
    const bytes = Buffer.isBuffer(data) ? data.length : 0;
    void admit(bytes, client.principal.kind === 'superuser', () =>
      onMessage(String(data), client, services, send),
    ).catch((error) => send(errorFrame(undefined, error)));
  });
  socket.on('close', () => {
    stopHeartbeat();
    services.broker.disconnect(client);
  });
  socket.on('error', () => socket.terminate());
}

/** Settles once `stream` has written out what it held, or the socket closed. */
function drained(stream: Writable, socket: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    socket.on('close', done);
  });
}

async function onMessage(
  text: string,
  client: RealtimeClient,
  services: ConnectionServices,
  send: (message: ServerMessage) => void,
): Promise<void> {
  const value = parseJson(text);
  // A message that breaks the bounds of every JSON input (depth, text) is answered by its id.
  const refusal = value === undefined ? undefined : jsonDocumentError(value, text);
  if (refusal) return send(errorFrame(idOf(value), refusal));
  const message = toClientMessage(value);
  if (!message)
    return send({ type: 'error', status: 400, code: 'BAD_REQUEST', message: 'Malformed message.', data: {} });
  try {
    switch (message.type) {
      case 'ping':
        return send({ type: 'pong', id: message.id });
      case 'auth':
        return send({
          type: 'auth',
          id: message.id,
          principal: socketPrincipal(await authenticate(client, services, message.token)),
        });
      case 'subscribe':
        services.broker.subscribe(client, message.id, message.topic, message.options);
        return send({ type: 'subscribed', id: message.id, topic: message.topic });
      case 'unsubscribe':
        client.removeSubscription(message.id);
        return send({ type: 'unsubscribed', id: message.id });
      case 'resume': {
        const result = await client.resume(message.lastSeq, services.broker.seq);
        return send(
          result.kind === 'reset'
            ? { type: 'reset', seq: result.seq, reason: result.reason }
            : { type: 'resumed', seq: result.seq },
        );
      }
      case 'request':
        return send({
          type: 'response',
          id: message.id,
          ...(await runSocketRequest(services, client.principal, message, services.secure === true)),
        });
    }
  } catch (error) {
    send(errorFrame('id' in message ? message.id : undefined, error));
  }
}

/** A new token on the open socket (sign-in or refresh); an empty token signs out. A bad one is a 401 and leaves the socket a guest. */
async function authenticate(client: RealtimeClient, services: ConnectionServices, token: string): Promise<Principal> {
  if (token === '' || !services.auth) {
    client.setPrincipal(guest);
    return guest;
  }
  const principal = await services.auth.principalOfToken(token);
  if (!principal) {
    client.setPrincipal(guest);
    throw new AppError('AUTH_REQUIRED');
  }
  client.setPrincipal(principal, { kind: 'token', token });
  return principal;
}

const MESSAGE_TYPES = new Set(['auth', 'subscribe', 'unsubscribe', 'resume', 'request', 'ping']);

/** The parsed JSON of a message, or undefined when it is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The string `id` of a parsed message, if it has one. */
function idOf(value: unknown): string | undefined {
  const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** A client message with the right shape, or undefined. */
function toClientMessage(value: unknown): ClientMessage | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const message = value as Record<string, unknown>;
  if (typeof message.type !== 'string' || !MESSAGE_TYPES.has(message.type)) return undefined;
  if (message.id !== undefined && typeof message.id !== 'string') return undefined;
  const ok = {
    auth: () => typeof message.token === 'string' && message.token.length <= 8192,
    subscribe: () =>
      typeof message.id === 'string' &&
      typeof message.topic === 'string' &&
      (message.options === undefined || (typeof message.options === 'object' && message.options !== null)),
    unsubscribe: () => typeof message.id === 'string',
    resume: () => typeof message.lastSeq === 'number' && Number.isSafeInteger(message.lastSeq) && message.lastSeq >= 0,
    request: () => typeof message.id === 'string' && typeof message.action === 'string',
    ping: () => true,
  }[message.type as ClientMessage['type']];
  return ok() ? (message as unknown as ClientMessage) : undefined;
}

/** The wire frame of a delivery; the record is serialized once and shared between subscribers. */
function errorFrame(id: string | undefined, error: unknown): ServerMessage {
  const { body } = toErrorBody(error);
  return { type: 'error', id, status: body.status, code: body.code, message: body.message, data: body.data };
}

/** The socket's principal as the protocol shows it (no record data). */
export function socketPrincipal(principal: Principal): SocketPrincipal {
  if (principal.kind === 'guest') return { kind: 'guest' };
  if (principal.kind === 'superuser') return { kind: 'superuser', id: principal.id };
  return { kind: 'record', collectionId: principal.collection.id, id: principal.record.id };
}

/** Pings every interval; a socket that did not answer the previous ping is dropped. Returns the stop. */
export function heartbeat(socket: WebSocket, intervalMs: number): () => void {
  let alive = true;
  socket.on('pong', () => (alive = true));
  const timer = setInterval(() => {
    if (!alive) return socket.terminate();
    alive = false;
    socket.ping();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
