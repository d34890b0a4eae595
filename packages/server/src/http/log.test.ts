import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createJsonLogger } from './log.js';

describe('createJsonLogger', () => {
  it('writes one line per call with the values JSON.stringify would give, level and time first and msg last', () => {
    const lines: string[] = [];
    const logger = createJsonLogger((line) => lines.push(line));
    const fields = [
      { reqId: 'abc123-1', method: 'GET', url: '/api/collections/items/records/x1', status: 200, ms: 0.41 },
      { url: '/a?filter=(title="x\\y")&\u0001\u2028é😀', status: 404, ms: 12 },
      {
        err: { name: 'Error', message: 'boom', stack: 'Error: boom\n    at x' },
        nothing: undefined,
        nan: NaN,
        list: [1, 'two'],
        flag: true,
        none: null,
        neg: -0,
      },
      { lone: 'half \ud800 pair', low: '\udc00', pair: '😀' },
    ];
    for (const f of fields) logger.info('request', f);
    logger.error('request failed');
    const expected = [
      ...fields.map((f) => ({ level: 'info', ...f, msg: 'request' })),
      { level: 'error', msg: 'request failed' },
    ];
    assert.equal(lines.length, expected.length);
    lines.forEach((line, i) => {
      assert.ok(line.endsWith('}\n'));
      const { time, ...rest } = JSON.parse(line) as { time: string };
      assert.match(time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(Math.abs(Date.parse(time) - Date.now()) < 5000);
      assert.deepEqual(rest, JSON.parse(JSON.stringify(expected[i])));
      const { level, ...others } = expected[i]!;
      assert.equal(line, `${JSON.stringify({ level, time, ...others })}\n`);
    });
  });

  it('writes a request line exactly as info would, for any url and duration', () => {
    const viaRequest: string[] = [];
    const viaInfo: string[] = [];
    const fast = createJsonLogger((line) => viaRequest.push(line));
    const generic = createJsonLogger((line) => viaInfo.push(line));
    const urls = ['/api/health', '/a?filter=(title="x\\y")&\u0001\u2028é😀', '/half \ud800 pair', '/\udc00', '/%00\n'];
    for (const url of urls)
      for (const ms of [0.41, 12, Number.NaN, Number.POSITIVE_INFINITY, -0]) {
        fast.request('abc123-7', 'GET', url, 404, ms);
        generic.info('request', { reqId: 'abc123-7', method: 'GET', url, status: 404, ms });
      }
    assert.equal(viaRequest.length, urls.length * 5);
    const withoutTime = (line: string) => line.replace(/"time":"[^"]+"/, '"time":""');
    assert.deepEqual(viaRequest.map(withoutTime), viaInfo.map(withoutTime));
    for (const line of viaRequest) assert.doesNotThrow(() => JSON.parse(line));
  });

  it('writes no request line below info', () => {
    const lines: string[] = [];
    createJsonLogger((line) => lines.push(line), 'warn').request('r-1', 'GET', '/', 200, 1);
    assert.deepEqual(lines, []);
  });

  it('drops lines below its level', () => {
    const lines: string[] = [];
    const logger = createJsonLogger((line) => lines.push(line), 'warn');
    logger.info('quiet');
    logger.warn('loud', { n: 1 });
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^\{"level":"warn","time":"[^"]+","n":1,"msg":"loud"\}\n$/);
  });

  it('flushes its output, and resolves at once for an output without a queue', async () => {
    let flushed = 0;
    const output = { write: () => undefined, droppedLines: 0, flush: async () => void flushed++ };
    await createJsonLogger(output).flush();
    assert.equal(flushed, 1);
    await createJsonLogger(() => undefined).flush();
  });
});
