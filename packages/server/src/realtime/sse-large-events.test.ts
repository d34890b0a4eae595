/**
 * A record larger than the SSE stream's bound on unsent output (1 MiB) still reaches its
 * subscribers whole: the bound drops a reader that stays behind, not one large event. An
 * editor field may hold 5 MiB, and a 3 MB record once dropped every stream it was sent to.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { call } from '../testing/http-client.fixture.js';
import { openSse } from '../testing/sse-client.fixture.js';

describe('SSE events larger than the unsent-output bound', () => {
  let t: TestApp;
  let base = '';
  before(async () => {
    t = await createTestApp('sqlite');
    await t.collections.create({
      name: 'articles',
      listRule: '',
      viewRule: '',
      fields: [{ name: 'body', type: 'editor' }],
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(async () => t?.cleanup());

  /** An event stream subscribed to `articles`. */
  async function articleStream() {
    const stream = await openSse(base, 20_000);
    assert.equal(
      (await call(t, 'POST', '/api/realtime', { clientId: stream.clientId, subscriptions: ['articles'] })).status,
      204,
    );
    return stream;
  }

  it('delivers a 3 MB record whole, and the stream stays open for the next', async () => {
    const stream = await articleStream();
    try {
      const big = await t.seed('articles', { body: `<p>${'x'.repeat(3_000_000)}</p>` });
      const frame = await stream.next((f) => f.event === 'articles' && f.data!.includes(big.id as string));
      assert.equal(JSON.parse(frame.data!).record.body.length, 3_000_007);
      const small = await t.seed('articles', { body: '<p>after</p>' });
      await stream.next((f) => f.event === 'articles' && f.data!.includes(small.id as string));
    } finally {
      stream.close();
    }
  });

  it('delivers large records written back to back, and the stream stays open', async () => {
    // The second frame is written while the first is still unsent: the reader is taking a
    // large event in, not behind, and keeps its stream.
    const stream = await articleStream();
    try {
      const bodies = ['a', 'b', 'c'].map((letter) => `<p>${letter.repeat(3_000_000)}</p>`);
      const created = await Promise.all(bodies.map((body) => t.seed('articles', { body })));
      for (const record of created)
        await stream.next((f) => f.event === 'articles' && f.data!.includes(record.id as string));
      const small = await t.seed('articles', { body: '<p>after</p>' });
      await stream.next((f) => f.event === 'articles' && f.data!.includes(small.id as string));
    } finally {
      stream.close();
    }
  });
});
