import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { installHttpCaching } from '../cache/http-caching.js';
import { responseMetaOf } from '../http/response-meta.js';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { FlowHub } from './flow-hub.js';
import { FlowWatcher, type FlowSink } from './flow-watcher.js';

const idleSink: FlowSink = { writableLength: 0, write: () => undefined };

describe('FlowHub', () => {
  it('is off until the first watcher comes and after the last one leaves', () => {
    const hub = new FlowHub();
    assert.equal(hub.watching, false);
    const a = new FlowWatcher(idleSink);
    const b = new FlowWatcher(idleSink);
    hub.add(a);
    hub.add(b);
    assert.equal(hub.watching, true);
    hub.remove(a);
    assert.equal(hub.watching, true);
    hub.remove(b);
    assert.equal(hub.watching, false);
  });
});

describe('FlowHub under load', () => {
  it('admits a bounded number of requests per window and reports the rest as dropped', () => {
    const frames: string[] = [];
    const hub = new FlowHub();
    const watcher = new FlowWatcher({ writableLength: 0, write: (chunk) => void frames.push(chunk) });
    hub.add(watcher);
    let admitted = 0;
    for (let i = 0; i < 1000; i++) if (hub.admit()) admitted++;
    assert.equal(admitted, 200);
    assert.equal(watcher.dropped, 800);
    watcher.flush();
    assert.match(frames[0] ?? '', /"dropped":800/);
    hub.remove(watcher);
  });
});

describe('the edge with nobody watching the flow', () => {
  /** A Fastify app with only the timing phase, over a tracer the test switches. */
  async function appWith(tracer: { watching: boolean; finish: () => void }): Promise<FastifyInstance> {
    const admitting = { ...tracer, admit: () => true };
    const app = Fastify();
    installHttpCaching(app, admitting);
    app.get('/', async (request) => ({ traced: responseMetaOf(request)?.trace !== undefined }));
    await app.ready();
    return app;
  }

  it('gives requests no trace and calls nothing', async () => {
    let finished = 0;
    const app = await appWith({ watching: false, finish: () => finished++ });
    const answer = await app.inject({ method: 'GET', url: '/' });
    assert.equal(answer.json().traced, false);
    assert.equal(finished, 0);
    await app.close();
  });

  it('traces every request while watched', async () => {
    let finished = 0;
    const app = await appWith({ watching: true, finish: () => finished++ });
    const answer = await app.inject({ method: 'GET', url: '/' });
    assert.equal(answer.json().traced, true);
    assert.equal(finished, 1);
    await app.close();
  });
});

describe('GET /api/flow', () => {
  let test: TestApp;
  before(async () => {
    test = await createTestApp('sqlite');
  });
  after(() => test.cleanup());

  it('refuses the stream to guests', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/api/flow' });
    assert.equal(response.statusCode, 401);
  });
});
