import { after, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs, { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { createLogOutput, HANDOVER_MS, MAX_PENDING_BYTES } from './log-output.js';

const dir = mkdtempSync(join(tmpdir(), 'tandem-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A named pipe with both ends open and nothing reading. `readAll` takes what the pipe
 * holds; `closeReader` makes further writes fail with EPIPE.
 */
function openPipe(name: string): { writer: number; readAll(): string; closeReader(): void; close(): void } {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  let reader: number | undefined = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  const closeReader = () => {
    if (reader !== undefined) closeSync(reader);
    reader = undefined;
  };
  const readAll = () => {
    let text = '';
    const buffer = Buffer.alloc(64 * 1024);
    for (let bytes = readOrNone(reader!, buffer); bytes > 0; bytes = readOrNone(reader!, buffer))
      text += buffer.toString('utf8', 0, bytes);
    return text;
  };
  return { writer, readAll, closeReader, close: () => (closeReader(), closeSync(writer)) };
}

/** Bytes read from a non-blocking descriptor, or 0 when it has none to give (EAGAIN). */
function readOrNone(fd: number, buffer: Buffer): number {
  try {
    return readSync(fd, buffer);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return 0;
    throw error;
  }
}

/** A flush that waits as long as the test may: these tests wait for the queue to empty. */
const UNTIL_EMPTY_MS = 60_000;

describe('createLogOutput', () => {
  it('counts the lines of a failed write, and of every write after it, without throwing (EPIPE)', async () => {
    const pipe = openPipe('closed');
    pipe.closeReader();
    try {
      const output = createLogOutput(pipe.writer);
      output.write('{"a":1}\n{"a":2}\n');
      output.write('{"a":3}\n');
      await output.flush(UNTIL_EMPTY_MS);
      assert.equal(output.droppedLines, 3);
      output.write('{"a":4}\n');
      await output.flush(UNTIL_EMPTY_MS);
      assert.equal(output.droppedLines, 4);
    } finally {
      pipe.close();
    }
  });

  it('drops lines instead of queueing without bound while the reader stalls', async () => {
    const pipe = openPipe('stalled');
    try {
      const output = createLogOutput(pipe.writer);
      const line = `${'x'.repeat(1023)}\n`;
      const kept = MAX_PENDING_BYTES / line.length;
      // Within one turn the lines leave in 64 KiB chunks, a whole number of which fill the queue.
      for (let i = 0; i < kept * 2; i++) output.write(line);
      assert.equal(output.droppedLines, kept, 'every line past MAX_PENDING_BYTES is dropped and counted');
      pipe.closeReader();
      await output.flush(UNTIL_EMPTY_MS);
      assert.ok(output.droppedLines > kept, 'the queued lines fail once the reader is gone, and are counted');
    } finally {
      pipe.close();
    }
  });

  it('gives up on a stalled reader when a flush runs out of time, dropping and counting what was still queued', async () => {
    const pipe = openPipe('given-up');
    try {
      const output = createLogOutput(pipe.writer);
      const line = `${'x'.repeat(1023)}\n`;
      const lines = 256;
      for (let i = 0; i < lines; i++) output.write(line);
      await output.flush(50);
      await output.flush(UNTIL_EMPTY_MS);
      const delivered = pipe.readAll().length / line.length;
      assert.ok(output.droppedLines > 0 && delivered > 0, `${delivered} delivered, ${output.droppedLines} dropped`);
      assert.equal(output.droppedLines + delivered, lines, 'every line was either delivered or counted');
    } finally {
      pipe.close();
    }
  });

  it('counts the lines a full device refuses, and keeps trying (ENOSPC)', async () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const output = createLogOutput(fd);
      output.write('{"a":1}\n{"a":2}\n');
      output.write('{"a":3}\n');
      await output.flush(UNTIL_EMPTY_MS);
      assert.equal(output.droppedLines, 3);
      output.write('{"a":4}\n');
      await output.flush(UNTIL_EMPTY_MS);
      assert.equal(output.droppedLines, 4);
    } finally {
      closeSync(fd);
    }
  });

  it('writes whole lines to a file, many lines in each write', async (t) => {
    const file = join(dir, 'log');
    const fd = openSync(file, 'w');
    const writes = t.mock.method(fs, 'write');
    try {
      const output = createLogOutput(fd);
      const lines = Array.from(
        { length: 1000 },
        (_, i) => `{"reqId":"abc123-${i}","method":"GET","url":"/api/collections/items/records/${i}","status":200}\n`,
      );
      for (const line of lines) output.write(line);
      await output.flush(UNTIL_EMPTY_MS);
      assert.equal(readFileSync(file, 'utf8'), lines.join(''));
      assert.equal(output.droppedLines, 0);
      const bytes = lines.join('').length;
      const count = writes.mock.callCount();
      assert.ok(count > 0 && count <= 1 + Math.ceil(bytes / (16 * 1024)), `${count} writes for ${lines.length} lines`);
    } finally {
      mock.restoreAll();
      closeSync(fd);
    }
  });

  it('joins the lines of several event-loop turns into one write, and writes a lone line without a flush', async (t) => {
    const file = join(dir, 'turns');
    const fd = openSync(file, 'w');
    const writes = t.mock.method(fs, 'write');
    try {
      // A long hand-over delay, so that a slow machine's timers cannot split the turns below.
      const output = createLogOutput(fd, 60_000);
      // Three requests a turn, as under load, each turn's write done before the next turn:
      // handing each turn's lines over would make 10 writes.
      for (let turn = 0; turn < 10; turn += 1) {
        for (let i = 0; i < 3; i += 1) output.write(`{"turn":${turn},"i":${i}}\n`);
        await sleep(5);
        await nextTurn();
      }
      assert.equal(writes.mock.callCount(), 0, 'nothing written before the hand-over');
      await output.flush(UNTIL_EMPTY_MS);
      assert.equal(writes.mock.callCount(), 1, 'one write for 10 turns of lines');
      assert.equal(readFileSync(file, 'utf8').split('\n').length - 1, 30);
      const prompt = createLogOutput(fd);
      prompt.write('{"alone":true}\n');
      const deadline = Date.now() + 5_000;
      while (!readFileSync(file, 'utf8').includes('"alone"') && Date.now() < deadline) await sleep(HANDOVER_MS);
      assert.ok(readFileSync(file, 'utf8').endsWith('{"alone":true}\n'), 'a lone line reaches the file on its own');
    } finally {
      mock.restoreAll();
      closeSync(fd);
    }
  });

  it('resolves a flush at once when nothing is queued', async () => {
    const fd = openSync('/dev/null', 'w');
    try {
      await createLogOutput(fd).flush(UNTIL_EMPTY_MS);
    } finally {
      closeSync(fd);
    }
  });
});
