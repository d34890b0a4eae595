import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';

/**
 * HTTP/1.1 framing and request-smuggling probes (docs/reliability plan T5): each probe is
 * followed on the same connection by a valid GET. A probe passes when its answer is a 400
 * (or the connection closes) and the smuggled GET gets no response of its own. The probes
 * aim at a real POST route, since an unrouted path may answer 404 before the body is read.
 */
const ROUTE = '/api/collections/notes/records';
const FOLLOW_UP = 'GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n';
const PROBES: ReadonlyArray<{ name: string; head: string }> = [
  {
    name: 'CL + TE',
    head: `POST ${ROUTE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
  },
  {
    name: 'duplicate, differing Content-Length',
    head: `POST ${ROUTE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}`,
  },
  {
    name: 'Transfer-Encoding: xchunked',
    head: `POST ${ROUTE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: xchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
  },
  {
    name: 'obs-fold',
    head: `POST ${ROUTE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length:\r\n 2\r\n\r\n{}`,
  },
  { name: 'bare LF', head: `POST ${ROUTE} HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: 2\n\n{}` },
  {
    name: 'space before colon',
    head: `POST ${ROUTE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length : 2\r\n\r\n{}`,
  },
  {
    name: 'Content-Length: +2',
    head: `POST ${ROUTE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: +2\r\n\r\n{}`,
  },
  {
    name: 'missing Host',
    head: `POST ${ROUTE} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
  },
  {
    name: 'bad chunk size',
    head: `POST ${ROUTE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
  },
];

describe('HTTP/1.1 framing probes', () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await createTestApp('sqlite');
    await t.collections.create({
      name: 'notes',
      type: 'base',
      createRule: '',
      fields: [{ name: 'body', type: 'text' }],
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  after(() => t.cleanup());

  for (const probe of PROBES) {
    it(`answers "${probe.name}" with 400 or a close, and never a second response`, async () => {
      const text = await exchange(port, probe.head + FOLLOW_UP);
      const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1]));
      assert.ok(statuses.length <= 1, `${probe.name}: ${statuses.length} responses (${statuses.join(', ')})`);
      if (statuses.length === 1) assert.equal(statuses[0], 400, probe.name);
    });
  }

  it('answers the follow-up GET when the first request is well framed (the harness sees second responses)', async () => {
    const valid = `POST ${ROUTE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`;
    const text = await exchange(port, valid + FOLLOW_UP);
    assert.equal([...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].length, 2, text);
  });
});

/** Writes the bytes, then collects everything until the server closes or 1 s of silence. */
function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    let timer = setTimeout(() => socket.destroy(), 1000);
    socket.on('data', (chunk) => {
      text += chunk;
      clearTimeout(timer);
      timer = setTimeout(() => socket.destroy(), 1000);
    });
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}
