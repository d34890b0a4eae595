import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from './config.js';
import { CliError } from './cli-error.js';
import { tempDirsOfThisFile } from '../testing/temp-dirs.fixture.js';

const tempDir = tempDirsOfThisFile();

describe('loadConfig', () => {
  const dir = tempDir('tandem-config-');
  writeFileSync(
    join(dir, 'tandem.json'),
    JSON.stringify({ http: '127.0.0.1:9000', bodyLimit: 1000, logLevel: 'warn' }),
  );

  it('uses the defaults when nothing is set', () => {
    const config = loadConfig({ dir: tempDir('tandem-empty-') }, {});
    assert.deepEqual(config.http, { host: '127.0.0.1', port: 8090 });
    assert.ok(config.db.endsWith('data.db'));
    assert.equal(config.sqliteSynchronous, 'FULL');
  });

  it('layers defaults < file < environment < flags', () => {
    assert.equal(loadConfig({ dir }, {}).http?.port, 9000);
    assert.equal(loadConfig({ dir }, {}).bodyLimit, 1000);
    assert.equal(loadConfig({ dir }, { TANDEM_HTTP: '127.0.0.1:9100' }).http?.port, 9100);
    assert.equal(loadConfig({ dir, http: '127.0.0.1:9200' }, { TANDEM_HTTP: '127.0.0.1:9100' }).http?.port, 9200);
  });

  it('finds the hooks in <dir>/hooks unless told, watches them only in development, and bounds their time', () => {
    const empty = tempDir('tandem-empty-');
    assert.deepEqual(loadConfig({ dir: empty }, {}).hooks, {
      dir: join(empty, 'hooks'),
      watch: false,
      budgetMs: 10_000,
    });
    const env = { TANDEM_HOOKS_DIR: join(empty, 'elsewhere'), TANDEM_DEV: 'true', TANDEM_HOOK_TIMEOUT_MS: '2500' };
    assert.deepEqual(loadConfig({ dir: empty }, env).hooks, {
      dir: join(empty, 'elsewhere'),
      watch: true,
      budgetMs: 2500,
    });
    assert.throws(() => loadConfig({ dir: empty, hookTimeoutMs: '0' }, {}), CliError);
  });

  it('ends a stuck process after 60 s unless told otherwise (0: never)', () => {
    const empty = tempDir('tandem-empty-');
    assert.equal(loadConfig({ dir: empty }, {}).watchdogMs, 60_000);
    assert.equal(loadConfig({ dir: empty }, { TANDEM_WATCHDOG_MS: '0' }).watchdogMs, 0);
    assert.throws(() => loadConfig({ dir: empty }, { TANDEM_WATCHDOG_MS: '-5' }), CliError);
  });

  it('reads the WebSocket connection caps', () => {
    const empty = tempDir('tandem-empty-');
    assert.deepEqual(loadConfig({ dir: empty }, {}).realtimeConnections, { max: 50_000, maxPerIp: 500 });
    assert.deepEqual(
      loadConfig(
        { dir: empty },
        { TANDEM_REALTIME_MAX_CONNECTIONS: '20000', TANDEM_REALTIME_MAX_CONNECTIONS_PER_IP: '12000' },
      ).realtimeConnections,
      { max: 20_000, maxPerIp: 12_000 },
    );
    assert.throws(
      () => loadConfig({ dir: empty, realtimeMaxConnectionsPerIp: '0' }, {}),
      (e) => e instanceof CliError && e.exitCode === 2,
    );
  });

  it('reads the metrics token from the environment or a flag, and refuses a short one', () => {
    assert.equal(loadConfig({ dir }, {}).metricsToken, undefined);
    assert.equal(
      loadConfig({ dir }, { TANDEM_METRICS_TOKEN: 'scrape-token-0123456789' }).metricsToken,
      'scrape-token-0123456789',
    );
    assert.equal(
      loadConfig({ dir, metricsToken: 'flag-token-0123456789' }, { TANDEM_METRICS_TOKEN: 'scrape-token-0123456789' })
        .metricsToken,
      'flag-token-0123456789',
    );
    assert.throws(() => loadConfig({ dir, metricsToken: 'short' }, {}), CliError);
  });

  it('finds migrations in <dir>/migrations and writes them automatically in development only', () => {
    const empty = tempDir('tandem-migrations-');
    const config = loadConfig({ dir: empty }, {});
    assert.equal(config.migrationsDir, join(empty, 'migrations'));
    assert.equal(config.automigrate, false);
    assert.equal(loadConfig({ dir: empty }, { NODE_ENV: 'development' }).automigrate, true);
    assert.equal(
      loadConfig({ dir: empty }, { NODE_ENV: 'development', TANDEM_AUTOMIGRATE: 'false' }).automigrate,
      false,
    );
    assert.equal(loadConfig({ dir: empty, automigrate: true }, {}).automigrate, true);
    assert.equal(loadConfig({ dir: empty }, { TANDEM_MIGRATIONS: 'mig' }).migrationsDir, join(process.cwd(), 'mig'));
    assert.throws(() => loadConfig({ dir: empty }, { TANDEM_AUTOMIGRATE: 'sometimes' }), CliError);
  });

  it('stores every request but prints request lines only when asked or in development', () => {
    const empty = tempDir('tandem-lines-');
    const lines = (flags: Record<string, unknown>, env: Record<string, string> = {}) =>
      loadConfig({ dir: empty, ...flags }, env);
    assert.deepEqual([lines({}).requestLog, lines({}).requestLines], [true, false]);
    assert.equal(lines({ requestLines: true }).requestLines, true);
    assert.equal(lines({}, { TANDEM_REQUEST_LINES: 'true' }).requestLines, true);
    assert.equal(lines({ dev: true }).requestLines, true);
    assert.equal(lines({}, { TANDEM_DEV: 'true' }).requestLines, true);
    assert.equal(lines({ dev: true }, { TANDEM_REQUEST_LINES: 'false' }).requestLines, false);
    assert.throws(
      () => lines({ requestLines: 'loud' }),
      (e) => e instanceof CliError && e.exitCode === 2,
    );
  });

  it('freezes the result', () => {
    const config = loadConfig({ dir }, {});
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.http));
  });

  it('keeps a postgres URL as given and resolves file paths', () => {
    assert.equal(loadConfig({ dir, db: 'postgres://u@h:5432/d' }, {}).db, 'postgres://u@h:5432/d');
    assert.equal(loadConfig({ dir, db: 'x.db' }, {}).db, join(process.cwd(), 'x.db'));
  });

  it('takes a Redis URL only beside a PostgreSQL database (a cluster shares one database)', () => {
    const db = 'postgres://u@h:5432/d';
    assert.equal(loadConfig({ dir, db, redis: 'redis://127.0.0.1:6379' }, {}).redis, 'redis://127.0.0.1:6379');
    assert.equal(loadConfig({ dir, db }, { TANDEM_REDIS: 'rediss://cache:6380' }).redis, 'rediss://cache:6380');
    assert.equal(loadConfig({ dir }, {}).redis, undefined);
    assert.throws(() => loadConfig({ dir, redis: 'redis://127.0.0.1:6379' }, {}), /needs a PostgreSQL database/);
    assert.throws(() => loadConfig({ dir, db, redis: 'http://cache' }, {}), /redis must be a redis: or rediss: URL/);
  });

  it('rejects invalid values with a usage error', () => {
    for (const layer of [
      { http: 'nope' },
      { http: '127.0.0.1:99999' },
      { bodyLimit: '-1' },
      { logLevel: 'loud' },
      { requestLog: 'perhaps' },
    ]) {
      assert.throws(
        () => loadConfig({ dir, ...layer }, {}),
        (e) => e instanceof CliError && e.exitCode === 2,
        JSON.stringify(layer),
      );
    }
  });

  it('reads the CORS origins and trusted proxies, any origin and no proxy by default', () => {
    const empty = tempDir('tandem-empty-');
    assert.deepEqual(loadConfig({ dir: empty }, {}).corsOrigins, ['*']);
    assert.deepEqual(loadConfig({ dir: empty }, {}).trustedProxies, []);
    const env = {
      TANDEM_CORS_ORIGINS: 'https://a.example, https://b.example:8443',
      TANDEM_TRUSTED_PROXY: '127.0.0.1, 10.0.0.0/8, fd00::/8',
    };
    assert.deepEqual(loadConfig({ dir: empty }, env).corsOrigins, ['https://a.example', 'https://b.example:8443']);
    assert.deepEqual(loadConfig({ dir: empty }, env).trustedProxies, ['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
    for (const layer of [
      { corsOrigins: 'https://a.example/path' },
      { corsOrigins: 'a.example' },
      { trustedProxy: 'proxy.local' },
      { trustedProxy: '10.0.0.0/33' },
      { trustedProxy: '10.0.0.0/8/1' },
    ]) {
      assert.throws(
        () => loadConfig({ dir: empty, ...layer }, {}),
        (e) => e instanceof CliError && e.exitCode === 2,
        JSON.stringify(layer),
      );
    }
  });
});

describe('loadConfig: TLS', () => {
  const dir = tempDir('tandem-config-tls-');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, 'not checked here');
  writeFileSync(key, 'not checked here');

  it('is off by default, with plain HTTP on 127.0.0.1:8090', () => {
    const config = loadConfig({ dir }, {});
    assert.equal(config.tls, undefined);
    assert.deepEqual(config.http, { host: '127.0.0.1', port: 8090 });
  });

  it('serves HTTPS with a certificate and key, and no plain HTTP unless it is set', () => {
    const config = loadConfig({ dir, https: '127.0.0.1:9443', tlsCert: cert, tlsKey: key }, {});
    assert.deepEqual(config.tls, {
      https: { host: '127.0.0.1', port: 9443 },
      certFile: cert,
      keyFile: key,
      devCaFile: undefined,
    });
    assert.equal(config.http, undefined);
    assert.equal(config.appUrl, 'https://127.0.0.1:9443');
    assert.ok(Object.isFrozen(config.tls) && Object.isFrozen(config.tls!.https));
    assert.deepEqual(
      loadConfig({ dir, https: '127.0.0.1:9443', tlsCert: cert, tlsKey: key, http: '127.0.0.1:9080' }, {}).http,
      { host: '127.0.0.1', port: 9080 },
    );
  });

  it('takes dev TLS from the environment, with the generated files under <dir>/tls and HTTPS on 127.0.0.1:8443', () => {
    const config = loadConfig({ dir }, { TANDEM_DEV_TLS: 'true' });
    assert.deepEqual(config.tls, {
      https: { host: '127.0.0.1', port: 8443 },
      certFile: join(dir, 'tls', 'server.pem'),
      keyFile: join(dir, 'tls', 'server-key.pem'),
      devCaFile: join(dir, 'tls', 'ca.pem'),
    });
  });

  it('layers TLS settings like the others: file < environment < flags', () => {
    const fileDir = tempDir('tandem-config-tls-file-');
    writeFileSync(join(fileDir, 'tandem.json'), JSON.stringify({ https: '127.0.0.1:7443', devTls: true }));
    assert.equal(loadConfig({ dir: fileDir }, {}).tls?.https.port, 7443);
    assert.equal(loadConfig({ dir: fileDir }, { TANDEM_HTTPS: '127.0.0.1:7444' }).tls?.https.port, 7444);
    assert.equal(
      loadConfig({ dir: fileDir, https: '127.0.0.1:7445' }, { TANDEM_HTTPS: '127.0.0.1:7444' }).tls?.https.port,
      7445,
    );
  });

  it('rejects incomplete or conflicting TLS settings with a usage error', () => {
    const layers = [
      { https: '127.0.0.1:9443' },
      { https: '127.0.0.1:9443', tlsCert: cert },
      { tlsKey: key },
      { devTls: true, tlsCert: cert, tlsKey: key },
      { tlsCert: join(dir, 'missing.pem'), tlsKey: key },
      { devTls: 'maybe' },
      { devTls: true, https: 'nope' },
      { devTls: true, https: '127.0.0.1:9443', http: '127.0.0.1:9443' },
    ];
    for (const layer of layers)
      assert.throws(
        () => loadConfig({ dir, ...layer }, {}),
        (e) => e instanceof CliError && e.exitCode === 2,
        JSON.stringify(layer),
      );
  });
});
