import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createDescriptorOutput, createLogOutput, createStreamOutput, MAX_PENDING_BYTES } from './log-output.js';

/** A stream whose every write fails as a write to a closed pipe does. */
function closedPipe(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) });
}

describe('createStreamOutput', () => {
  it('counts the lines of a failed write, and of every write after it, without throwing', async () => {
    const output = createStreamOutput(closedPipe());
    output.write('{"a":1}\n{"a":2}\n');
    await nextTurn();
    assert.equal(output.droppedLines, 2);
    output.write('{"a":3}\n');
    await nextTurn();
    assert.equal(output.droppedLines, 3);
  });

  it('drops lines instead of buffering without bound while the reader stalls', () => {
    const stalled = new Writable({ highWaterMark: 1024, write: () => undefined });
    const output = createStreamOutput(stalled);
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < (MAX_PENDING_BYTES / line.length) * 2; i++) output.write(line);
    assert.ok(stalled.writableLength <= MAX_PENDING_BYTES + line.length);
    assert.ok(output.droppedLines >= MAX_PENDING_BYTES / line.length - 1);
  });
});

describe('createDescriptorOutput', () => {
  it('counts lines a full device refuses, and keeps trying', () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const output = createDescriptorOutput(fd);
      output.write('{"a":1}\n{"a":2}\n');
      output.write('{"a":3}\n');
      assert.equal(output.droppedLines, 3);
    } finally {
      closeSync(fd);
    }
  });

  it('writes whole lines to a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-log-'));
    const file = join(dir, 'log');
    const fd = openSync(file, 'w');
    try {
      const output = createLogOutput(Object.assign(new Writable({ write: (_c, _e, done) => done() }), { fd }));
      output.write('{"a":1}\n');
      output.write('{"a":2}\n');
      assert.equal(readFileSync(file, 'utf8'), '{"a":1}\n{"a":2}\n');
      assert.equal(output.droppedLines, 0);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
