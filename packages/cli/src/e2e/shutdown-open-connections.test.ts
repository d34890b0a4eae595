/**
 * A stop with clients still connected on every long-lived transport: a realtime
 * WebSocket, a GraphQL WebSocket, an SSE stream, the admin's Flow stream and a gRPC Watch. Neither Node nor `ws`
 * ends an upgraded connection when the server closes, and the server's close waits for
 * every connection: one open socket kept SIGTERM (and a restore's restart) waiting for
 * as long as its client stayed. Each client must be told, in its protocol, to come back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request } from 'node:http';
import WebSocket from 'ws';
import { Metadata, status as GrpcCode } from '@grpc/grpc-js';
import { connectByReflection, openWatch, type ReflectedClient } from '@tandem/grpc/testing';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

/**
 * The server's shutdown timeout, after which it cuts whatever HTTP connections are left:
 * far past the bound below, so that a connection that only that timeout would end fails
 * the test instead of slowing the stop.
 */
const SHUTDOWN_TIMEOUT_MS = 120_000;
/** Far longer than a stop takes (milliseconds here); a stop that waits on its clients never ends. */
const STOP_BOUND_MS = 30_000;

function openSocket(url: string, protocol: string): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(url, protocol);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return once(ws, 'open').then(() => ({ ws, closed }));
}

/** Opens an event stream and resolves once its first event arrived; `ended` settles when the server ends it. */
function openEventStream(url: string, headers: Record<string, string> = {}): Promise<{ ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`${url} answered ${response.statusCode}`));
      const ended = once(response, 'end').then(() => undefined);
      response.once('data', () => resolve({ ended }));
      response.resume();
    });
    req.on('error', reject);
    req.end();
  });
}

describe('a stop with clients connected on every long-lived transport', () => {
  let fixture: ServeFixture;
  let grpc: ReflectedClient | undefined;

  before(async () => {
    fixture = await startServeFixture('sqlite', {
      blog: true,
      superuser: true,
      env: { TANDEM_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
    });
  });
  after(async () => {
    grpc?.close();
    await fixture?.dispose();
  });

  it('ends each of them, telling the client to come back, and exits', async () => {
    const { url, grpcAddress, child } = fixture.server;
    const wsOrigin = url.replace('http', 'ws');
    const realtime = await openSocket(`${wsOrigin}/api/ws`, 'tandem.v1');
    const graphql = await openSocket(`${wsOrigin}/api/graphql`, 'graphql-transport-ws');
    const events = await openEventStream(`${url}/api/realtime`);
    const signIn = await fetch(`${url}/api/collections/_superusers/auth-with-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity: fixtureSuperuser.email, password: fixtureSuperuser.password }),
    });
    const { token } = (await signIn.json()) as { token: string };
    const flow = await openEventStream(`${url}/api/flow`, { authorization: token });
    grpc = await connectByReflection(grpcAddress!);
    const watch = openWatch(grpc.clients['tandem.v1.Records']!, { collection: 'posts' }, new Metadata());
    await watch.head;

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const bound = new Promise<'still running'>((resolve) =>
      setTimeout(resolve, STOP_BOUND_MS, 'still running').unref(),
    );
    const outcome = await Promise.race([exited.then(([code]) => `exited with ${code}`), bound]);
    assert.equal(outcome, 'exited with 0');

    assert.equal(await realtime.closed, 1012, 'the realtime socket: Service Restart');
    assert.equal(await graphql.closed, 1012, 'the GraphQL socket: Service Restart');
    await events.ended;
    await flow.ended;
    assert.equal((await watch.ended).code, GrpcCode.UNAVAILABLE, 'the Watch: UNAVAILABLE, to resume elsewhere');
  });
});
