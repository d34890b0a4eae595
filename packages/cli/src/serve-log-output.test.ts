import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, tandemBin, waitUntilHealthy } from './testing/spawn-tandem.fixture.js';
import { freePort } from './testing/free-port.fixture.js';

const METRICS_TOKEN = 'log-output-test-metrics-token';
const DROPPED = 'tandem_log_dropped_lines_total';

/** GETs `url` and returns its status (with the metrics token, which only /api/metrics reads). */
async function statusOf(url: string): Promise<number> {
  return (await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status;
}

/** The dropped-log-lines counter the server reports. */
async function droppedLines(origin: string): Promise<number> {
  const response = await fetch(`${origin}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await response.text()).split('\n').find((l) => l.startsWith(`${DROPPED} `));
  assert.ok(line, `${DROPPED} is exposed`);
  return Number(line.slice(DROPPED.length + 1));
}

/** Requests that each write a request-log line, then proof that the server still answers. */
async function assertStillServing(origin: string): Promise<void> {
  for (let i = 0; i < 5; i++) assert.equal(await statusOf(`${origin}/api/health`), 200);
  assert.equal(await statusOf(`${origin}/api/collections/users/records`), 200);
  assert.ok((await droppedLines(origin)) > 0, 'the lines that could not be written are counted');
  assert.equal(await statusOf(`${origin}/api/health`), 200);
}

describe('tandem serve when its log output fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-log-output-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps answering after the reader of its stdout pipe goes away (EPIPE)', async () => {
    const serve = await startServe(['--dir', join(dir, 'pipe'), '--metrics-token', METRICS_TOKEN]);
    try {
      serve.child.stdout!.destroy();
      await assertStillServing(serve.url);
    } finally {
      assert.equal(await serve.stop(), 0, serve.output());
    }
    assert.doesNotMatch(serve.output(), /EPIPE|Unhandled/);
  });

  it('keeps answering with stdout on a full device (ENOSPC)', async () => {
    const full = openSync('/dev/full', 'w');
    const origin = `http://127.0.0.1:${await freePort()}`;
    const args = ['serve', '--http', origin.slice('http://'.length), '--dir', join(dir, 'full'), '--metrics-token', METRICS_TOKEN];
    const child = spawn(process.execPath, [tandemBin, ...args], { stdio: ['ignore', full, 'pipe'] });
    closeSync(full);
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitUntilHealthy(origin, exited);
      await assertStillServing(origin);
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
    }
    assert.doesNotMatch(stderr, /ENOSPC|Unhandled/);
  });
});
