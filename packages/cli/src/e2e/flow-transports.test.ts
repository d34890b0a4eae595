/**
 * The Flow stream shows calls over every transport: a REST request, a request frame on
 * the realtime WebSocket and a gRPC call each appear as a request event with its
 * transport, status and rule decisions.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, type TandemClient } from '@tandem/sdk';
import type { FlowFrame, FlowRequestEvent } from '@tandem/protocol';
import { connectByReflection, unary } from '@tandem/grpc/testing';
import { fixtureSuperuser, startServeFixture, type ServeFixture } from '../testing/serve-fixture.fixture.js';

const NOTES = [
  {
    name: 'notes',
    type: 'base',
    listRule: 'title != "hidden"',
    viewRule: '',
    createRule: '',
    fields: [{ name: 'title', type: 'text' }],
  },
];

/** Reads `flow` frames of an open `/api/flow` stream and keeps their request events. */
class FlowReader {
  readonly requests: FlowRequestEvent[] = [];
  readonly #controller = new AbortController();

  async open(url: string, token: string): Promise<void> {
    const response = await fetch(`${url}/api/flow`, {
      headers: { authorization: token },
      signal: this.#controller.signal,
    });
    assert.equal(response.status, 200);
    void this.#read(response.body!.getReader()).catch(() => undefined);
  }

  async #read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const frame = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = /^event: flow\ndata: (.*)$/m.exec(frame)?.[1];
        if (data)
          for (const event of (JSON.parse(data) as FlowFrame).events)
            if (event.type === 'request') this.requests.push(event);
      }
    }
  }

  async waitFor(match: (event: FlowRequestEvent) => boolean): Promise<FlowRequestEvent> {
    for (let tries = 0; tries < 100; tries++) {
      const found = this.requests.find(match);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no such event among ${JSON.stringify(this.requests.map((r) => [r.transport, r.path]))}`);
  }

  close(): void {
    this.#controller.abort();
  }
}

describe('the Flow stream across transports', () => {
  let fixture: ServeFixture;
  let flow: FlowReader;
  let socketClient: TandemClient;

  before(async () => {
    fixture = await startServeFixture('sqlite', { superuser: true, collections: NOTES });
    const login = await fetch(`${fixture.server.url}/api/collections/_superusers/auth-with-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity: fixtureSuperuser.email, password: fixtureSuperuser.password }),
    });
    flow = new FlowReader();
    await flow.open(fixture.server.url, `Bearer ${((await login.json()) as { token: string }).token}`);
    socketClient = createClient(fixture.server.url, { transport: 'auto' });
  });

  after(async () => {
    flow?.close();
    socketClient?.close();
    await fixture?.dispose();
  });

  it('shows a request frame on the realtime WebSocket with its rule decisions', async () => {
    const stop = await socketClient.collection('notes').subscribe('*', () => undefined);
    assert.ok(socketClient.usesSocket(), 'record requests go over the socket');
    await socketClient.collection('notes').create({ title: 'over the socket' });
    await socketClient.collection('notes').list(1, 5);
    const listed = await flow.waitFor((e) => e.transport === 'websocket' && e.path === 'records.list');
    assert.equal(listed.method, 'WS');
    assert.equal(listed.status, 200);
    assert.equal(listed.collection, 'notes');
    assert.equal(listed.principal, 'guest');
    assert.deepEqual(listed.rules, [{ collection: 'notes', rule: 'listRule', outcome: 'condition' }]);
    assert.equal(listed.connection.http, 'websocket');
    const created = await flow.waitFor((e) => e.transport === 'websocket' && e.path === 'records.create');
    assert.equal(created.status, 200);
    await stop();
  });

  it('shows a gRPC call, refused ones included, with the status REST would answer', async () => {
    const client = await connectByReflection(fixture.server.grpcAddress!);
    const records = client.clients['tandem.v1.Records']!;
    const page = await unary(records, 'List', { collection: 'notes' });
    assert.ok(page.ok);
    const refused = await unary(records, 'List', { collection: '_superusers' });
    assert.ok(!refused.ok);
    client.close();
    const listed = await flow.waitFor(
      (e) => e.transport === 'grpc' && e.path === '/tandem.v1.Records/List' && e.collection === 'notes',
    );
    assert.equal(listed.status, 200);
    assert.equal(listed.method, 'CALL');
    assert.deepEqual(listed.rules, [{ collection: 'notes', rule: 'listRule', outcome: 'condition' }]);
    assert.ok(listed.timings.dbMs > 0, 'the store time of the call is counted');
    const denied = await flow.waitFor((e) => e.transport === 'grpc' && e.collection === '_superusers');
    assert.equal(denied.status, 403);
  });

  it('still shows REST requests as before', async () => {
    await fetch(`${fixture.server.url}/api/collections/notes/records`);
    const rest = await flow.waitFor(
      (e) => e.transport === 'rest' && e.route === '/api/collections/:collection/records',
    );
    assert.equal(rest.method, 'GET');
  });
});
