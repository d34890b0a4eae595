import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config.js';
import { CliError } from './cli-error.js';

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-config-'));
  writeFileSync(join(dir, 'tandem.json'), JSON.stringify({ http: '127.0.0.1:9000', bodyLimit: 1000, logLevel: 'warn' }));

  it('uses the defaults when nothing is set', () => {
    const config = loadConfig({ dir: mkdtempSync(join(tmpdir(), 'tandem-empty-')) }, {});
    assert.deepEqual(config.http, { host: '127.0.0.1', port: 8090 });
    assert.ok(config.db.endsWith('data.db'));
    assert.equal(config.sqliteSynchronous, 'FULL');
  });

  it('layers defaults < file < environment < flags', () => {
    assert.equal(loadConfig({ dir }, {}).http.port, 9000);
    assert.equal(loadConfig({ dir }, {}).bodyLimit, 1000);
    assert.equal(loadConfig({ dir }, { TANDEM_HTTP: '127.0.0.1:9100' }).http.port, 9100);
    assert.equal(loadConfig({ dir, http: '127.0.0.1:9200' }, { TANDEM_HTTP: '127.0.0.1:9100' }).http.port, 9200);
  });

  it('reads the WebSocket connection caps', () => {
    const empty = mkdtempSync(join(tmpdir(), 'tandem-empty-'));
    assert.deepEqual(loadConfig({ dir: empty }, {}).realtimeConnections, { max: 50_000, maxPerIp: 500 });
    assert.deepEqual(loadConfig({ dir: empty }, { TANDEM_REALTIME_MAX_CONNECTIONS: '20000', TANDEM_REALTIME_MAX_CONNECTIONS_PER_IP: '12000' }).realtimeConnections, { max: 20_000, maxPerIp: 12_000 });
    assert.throws(() => loadConfig({ dir: empty, realtimeMaxConnectionsPerIp: '0' }, {}), (e) => e instanceof CliError && e.exitCode === 2);
  });

  it('reads the metrics token from the environment or a flag, and refuses a short one', () => {
    assert.equal(loadConfig({ dir }, {}).metricsToken, undefined);
    assert.equal(loadConfig({ dir }, { TANDEM_METRICS_TOKEN: 'scrape-token-0123456789' }).metricsToken, 'scrape-token-0123456789');
    assert.equal(loadConfig({ dir, metricsToken: 'flag-token-0123456789' }, { TANDEM_METRICS_TOKEN: 'scrape-token-0123456789' }).metricsToken, 'flag-token-0123456789');
    assert.throws(() => loadConfig({ dir, metricsToken: 'short' }, {}), CliError);
  });

  it('freezes the result', () => {
    const config = loadConfig({ dir }, {});
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.http));
  });

  it('keeps a postgres URL as given and resolves file paths', () => {
    assert.equal(loadConfig({ dir, db: 'postgres://u@h:5432/d' }, {}).db, 'postgres://u@h:5432/d');
    assert.equal(loadConfig({ dir, db: 'x.db' }, {}).db, join(process.cwd(), 'x.db'));
  });

  it('rejects invalid values with a usage error', () => {
    for (const layer of [{ http: 'nope' }, { http: '127.0.0.1:99999' }, { bodyLimit: '-1' }, { logLevel: 'loud' }, { requestLog: 'perhaps' }]) {
      assert.throws(() => loadConfig({ dir, ...layer }, {}), (e) => e instanceof CliError && e.exitCode === 2, JSON.stringify(layer));
    }
  });
});
