import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { asSuperuser, asUser, testPrincipalResolver } from '../testing/test-principals.fixture.js';
import { call } from '../testing/http-client.fixture.js';

const SCRAPE_TOKEN = 'scraper-token-for-tests-0123456789';

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('GET /api/metrics', () => {
  let t: TestApp;
  let id: string;
  const scrape = async () => (await call(t, 'GET', '/api/metrics', undefined, asSuperuser)).raw;

  before(async () => {
    t = await createTestApp('sqlite', { metricsToken: SCRAPE_TOKEN }, testPrincipalResolver);
    await t.collections.import([
      { name: 'posts', listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }] },
    ]);
    id = (await t.seed('posts', { title: 'hello' })).id as string;
    await t.feed.settle(); // its late hand-over would bump the cache generation between a miss and its hit
  });
  after(() => t?.cleanup());

  it('is for superusers and bearers of the metrics token only', async () => {
    const cases: Array<[string, Record<string, string>, number]> = [
      ['guest', {}, 401],
      ['user', asUser, 403],
      ['wrong token', { authorization: 'Bearer not-the-token' }, 401],
      ['token without Bearer', { authorization: SCRAPE_TOKEN }, 401],
      ['superuser', asSuperuser, 200],
      ['scraper', { authorization: `Bearer ${SCRAPE_TOKEN}` }, 200],
    ];
    for (const [who, headers, status] of cases) {
      const answer = await call(t, 'GET', '/api/metrics', undefined, headers);
      assert.equal(answer.status, status, who);
      if (status === 200) assert.match(String(answer.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    }
  });

  it('counts requests by route pattern and status, never by raw URL', async () => {
    for (let i = 0; i < 3; i++) await call(t, 'GET', `/api/collections/posts/records/${id}`);
    await call(t, 'GET', '/api/collections/posts/records/missing00000000');
    await call(t, 'GET', `/no/such/path/${id}`);
    const text = await scrape();
    assert.ok(!text.includes(id), 'no raw id in any label');
    const route = 'method="GET",route="/api/collections/:collection/records/:id"';
    assert.equal(sample(text, `tandem_http_requests_total{${route},status="200"}`), 3);
    assert.equal(sample(text, `tandem_http_requests_total{${route},status="404"}`), 1);
    assert.equal(sample(text, 'tandem_http_requests_total{method="GET",route="<unmatched>",status="404"}'), 1);
    assert.equal(sample(text, `tandem_http_request_duration_seconds_count{${route}}`), 4);
    assert.equal(sample(text, `tandem_http_request_duration_seconds_bucket{le="+Inf",${route}}`), 4);
    assert.ok(sample(text, `tandem_http_db_seconds_total{${route}}`)! > 0, 'store time is counted');
  });

  it('counts response cache outcomes of record reads', async () => {
    const before = await scrape();
    const url = '/api/collections/posts/records?perPage=3';
    await call(t, 'GET', url);
    await call(t, 'GET', url);
    const text = await scrape();
    const delta = (outcome: string) =>
      sample(text, `tandem_response_cache_requests_total{outcome="${outcome}"}`)! -
      sample(before, `tandem_response_cache_requests_total{outcome="${outcome}"}`)!;
    assert.deepEqual([delta('miss'), delta('hit')], [1, 1]);
  });

  it('reports realtime connections and messages sent, and event-loop lag', async () => {
    const sent: unknown[] = [];
    const client = t.realtime.connect({ send: (delivery) => sent.push(delivery) });
    t.realtime.subscribe(client, 's1', 'posts/*');
    await t.seed('posts', { title: 'news' });
    for (let i = 0; i < 50 && sent.length === 0; i++) await sleep(20);
    const text = await scrape();
    assert.equal(sample(text, 'tandem_realtime_connections'), 1);
    assert.equal(sample(text, 'tandem_realtime_messages_sent_total'), sent.length);
    assert.ok(sent.length >= 1);
    assert.ok(sample(text, 'tandem_event_loop_lag_seconds{quantile="0.99"}')! >= 0);
    t.realtime.disconnect(client);
  });

  it('reports no dropped log lines when the log output counts none', async () => {
    assert.equal(sample(await scrape(), 'tandem_log_dropped_lines_total'), 0);
    assert.equal(sample(await scrape(), 'tandem_request_log_dropped_total'), 0);
  });

  it('writes well-formed exposition text: HELP and TYPE before each family, one sample per line, a blank line between families', async () => {
    const text = await scrape();
    const typed = new Set<string>();
    const lines = text.trimEnd().split('\n');
    for (const [i, line] of lines.entries()) {
      if (line === '') {
        assert.match(lines[i + 1] ?? '', /^# HELP /, 'a blank line only ends a family');
        continue;
      }
      const type = /^# TYPE (\w+) (counter|gauge|histogram)$/.exec(line);
      if (type) typed.add(type[1]!);
      else if (!line.startsWith('# HELP ')) {
        const match = /^(\w+)(\{[^}]*\})? (-?[\d.e+-]+|NaN|\+Inf)$/.exec(line);
        assert.ok(match, `bad sample line: ${line}`);
        assert.ok(typed.has(match[1]!.replace(/_(bucket|sum|count)$/, '')) || typed.has(match[1]!), `untyped: ${line}`);
      }
    }
  });

  it("keeps each app's counts in its own registry", async () => {
    const other = await createTestApp('sqlite', {}, testPrincipalResolver);
    try {
      await call(other, 'GET', '/api/health');
      await call(other, 'GET', '/api/health');
      const health = 'tandem_http_requests_total{method="GET",route="/api/health",status="200"}';
      const mine = sample(await scrape(), health) ?? 0;
      await call(t, 'GET', '/api/health');
      assert.equal(sample(await scrape(), health), mine + 1);
      assert.equal(sample((await call(other, 'GET', '/api/metrics', undefined, asSuperuser)).raw, health), 2);
    } finally {
      await other.cleanup();
    }
  });
});
