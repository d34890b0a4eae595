import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createJsonLogger } from './log.js';

describe('createJsonLogger', () => {
  it('writes the lines JSON.stringify would, one write per event-loop turn', async () => {
    const chunks: string[] = [];
    const logger = createJsonLogger((chunk) => chunks.push(chunk));
    const fields = [
      { reqId: 'abc123-1', method: 'GET', url: '/api/collections/items/records/x1', status: 200, ms: 0.41 },
      { url: '/a?filter=(title="x\\y")&\u0001\u2028é😀', status: 404, ms: 12 },
      { err: { name: 'Error', message: 'boom', stack: 'Error: boom\n    at x' }, nothing: undefined, nan: NaN, list: [1, 'two'], flag: true, none: null, neg: -0 },
      { lone: 'half \ud800 pair' },
    ];
    for (const f of fields) logger.info('request', f);
    logger.error('request failed');
    assert.equal(chunks.length, 0);
    await nextTurn();
    assert.equal(chunks.length, 1);
    const lines = chunks[0]!.split('\n');
    assert.equal(lines.pop(), '');
    const expected = [...fields.map((f) => ({ level: 'info', msg: 'request', ...f })), { level: 'error', msg: 'request failed' }];
    lines.forEach((line, i) => {
      const { time, ...rest } = JSON.parse(line) as { time: string };
      assert.match(time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(Math.abs(Date.parse(time) - Date.now()) < 5000);
      assert.equal(JSON.stringify(rest), JSON.stringify(expected[i]));
      assert.equal(line, JSON.stringify({ time, ...expected[i] }));
    });
  });

  it('drops lines below its level', async () => {
    const chunks: string[] = [];
    const logger = createJsonLogger((chunk) => chunks.push(chunk), 'warn');
    logger.info('quiet');
    logger.warn('loud', { n: 1 });
    logger.flush();
    assert.equal(chunks.length, 1);
    assert.match(chunks[0]!, /^\{"time":"[^"]+","level":"warn","msg":"loud","n":1\}\n$/);
  });
});
