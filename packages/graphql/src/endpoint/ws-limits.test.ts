/**
 * What one GraphQL socket may hold: each subscription holds a place in the broker and is
 * checked at every change, so a socket runs at most MAX_OPERATIONS_PER_SOCKET operations
 * at once, and a completed one frees its place.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import WebSocket from 'ws';
import { until } from '@tandem/core/testing';
import { blogCollections } from '@tandem/server/testing';
import { createGraphqlTestApp, type GraphqlTestApp } from '../testing/graphql-app.fixture.js';
import { MAX_OPERATIONS_PER_SOCKET } from './ws-server.js';

const SUBSCRIPTION = { query: 'subscription { posts { action seq record { id } } }' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GraphQL socket limits', () => {
  let t: GraphqlTestApp;
  let url: string;
  before(async () => {
    t = await createGraphqlTestApp('sqlite');
    await t.collections.import(blogCollections());
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    url = `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/api/graphql`;
  });
  after(async () => t.cleanup());

  it('runs at most MAX_OPERATIONS_PER_SOCKET operations at once, and a completed one frees its place', async () => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    const refused: Array<{ id: string; code: string; data: unknown }> = [];
    let acknowledged: () => void = () => undefined;
    const ack = new Promise<void>((resolve) => (acknowledged = resolve));
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw));
      if (message.type === 'connection_ack') acknowledged();
      if (message.type === 'error')
        refused.push({
          id: message.id,
          code: message.payload[0].extensions.code,
          data: message.payload[0].extensions.data,
        });
    });
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    await ack;
    const subscribe = (id: string) => socket.send(JSON.stringify({ id, type: 'subscribe', payload: SUBSCRIPTION }));
    try {
      for (let i = 0; i <= MAX_OPERATIONS_PER_SOCKET; i++) subscribe(`s${i}`);
      await until(() => refused.length > 0);
      assert.deepEqual(refused, [
        {
          id: `s${MAX_OPERATIONS_PER_SOCKET}`,
          code: 'GRAPHQL_LIMIT_EXCEEDED',
          data: { limit: 'operations per socket', max: MAX_OPERATIONS_PER_SOCKET },
        },
      ]);
      socket.send(JSON.stringify({ id: 's0', type: 'complete' }));
      await sleep(200);
      // Answered in order: had 'again' been refused, its error would come first.
      subscribe('again');
      subscribe('one too many');
      await until(() => refused.length > 1);
      assert.deepEqual(
        refused.map((r) => r.id),
        [`s${MAX_OPERATIONS_PER_SOCKET}`, 'one too many'],
      );
    } finally {
      socket.close();
    }
  });
});

describe('GraphQL sockets per address', () => {
  let t: GraphqlTestApp;
  let url: string;
  before(async () => {
    t = await createGraphqlTestApp('sqlite', {}, { webSocket: { maxConnectionsPerIp: 3 } });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    url = `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/api/graphql`;
  });
  after(async () => t.cleanup());

  /** Opens a socket: the socket once open, or the HTTP status that refused the upgrade. */
  const open = (): Promise<WebSocket | number> =>
    new Promise((resolve) => {
      const socket = new WebSocket(url, 'graphql-transport-ws');
      socket.once('open', () => resolve(socket));
      socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    });

  it('refuses the upgrade with 429 past the address cap, and takes one again once a socket closed', async () => {
    const sockets = [await open(), await open(), await open()];
    assert.ok(sockets.every((socket) => socket instanceof WebSocket));
    assert.equal(await open(), 429);
    const first = sockets[0] as WebSocket;
    first.close();
    await once(first, 'close');
    await sleep(100);
    const again = await open();
    assert.ok(again instanceof WebSocket);
    for (const socket of [...sockets.slice(1), again]) (socket as WebSocket).close();
  });
});
