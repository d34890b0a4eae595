import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { createLogOutput } from '@tandem/server';
import { startServe, tandemBin, waitUntilHealthy } from './testing/spawn-tandem.fixture.js';
import { freePort } from './testing/free-port.fixture.js';
import { mountSmallDisk } from './testing/small-disk.fixture.js';

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
  // Lines leave at most every 10 ms and fail in the thread pool: the count arrives a little later.
  const deadline = Date.now() + 5_000;
  while ((await droppedLines(origin)) === 0 && Date.now() < deadline) await delay(20);
  assert.ok((await droppedLines(origin)) > 0, 'the lines that could not be written are counted');
  assert.equal(await statusOf(`${origin}/api/health`), 200);
}

describe('tandem serve when its log output fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-log-output-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps answering after the reader of its stdout pipe goes away (EPIPE)', async () => {
    const serve = await startServe(['--dir', join(dir, 'pipe'), '--metrics-token', METRICS_TOKEN, '--request-lines']);
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
    const args = [
      'serve',
      '--no-grpc',
      '--http',
      origin.slice('http://'.length),
      '--dir',
      join(dir, 'full'),
      '--metrics-token',
      METRICS_TOKEN,
      '--request-lines',
    ];
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

describe('tandem serve at shutdown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-log-shutdown-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the line of every request it answered before it exits on SIGTERM', async () => {
    const serve = await startServe(['--dir', join(dir, 'flush'), '--request-lines']);
    const ids: string[] = [];
    try {
      for (let i = 0; i < 100; i++) ids.push((await fetch(`${serve.url}/api/health`)).headers.get('x-request-id')!);
    } finally {
      assert.equal(await serve.stop(), 0, serve.output());
    }
    const logged = serve
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; reqId: string });
    assert.deepEqual(
      logged.filter((line) => line.msg === 'request').map((line) => line.reqId),
      ids,
    );
  });
});

const disk = await mountSmallDisk(1024 * 1024);
const skipDisk = 'skip' in disk ? disk.skip : undefined;
const PAGE = 4096;

describe('the log output on a disk that fills up', { skip: skipDisk }, () => {
  if ('skip' in disk) return;
  after(() => disk.unmount());

  it('ends a line cut short with a line break, counts what it dropped, and writes again once there is space', async () => {
    const file = join(disk.path, 'log');
    const fd = openSync(file, 'w');
    try {
      const output = createLogOutput(fd);
      disk.fill();
      truncateSync(join(disk.path, 'filler'), statSync(join(disk.path, 'filler')).size - PAGE);
      const line = (n: number) => `{"n":${n},"pad":"${'x'.repeat(2980)}"}\n`;
      for (const n of [1, 2, 3]) output.write(line(n));
      await output.flush();
      assert.equal(
        output.droppedLines,
        2,
        'line 1 fits the free page; lines 2 and 3 leave together and only part of 2 fits',
      );
      disk.free();
      output.write(line(4));
      await output.flush();
      const lines = readFileSync(file, 'utf8').split('\n');
      assert.deepEqual([lines[0], lines[2], lines[3]], [line(1).trimEnd(), line(4).trimEnd(), '']);
      assert.ok(line(2).startsWith(lines[1]!) && lines[1]!.length > 0, 'the cut-short line is on a line of its own');
    } finally {
      closeSync(fd);
    }
  });
});
