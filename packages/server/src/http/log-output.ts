import { writeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';

/**
 * Where the logger's text goes. Writing never throws and never ends the process: a
 * line the destination cannot take (a closed pipe, a full disk, a reader too far behind)
 * is dropped and counted, and the server goes on.
 */
export interface LogOutput {
  /** Writes whole lines (each ending in `\n`). */
  write(chunk: string): void;
  /** Lines dropped so far (exposed as `tandem_log_dropped_lines_total`). */
  readonly droppedLines: number;
}

/**
 * Most bytes a stream may hold unwritten before further lines are dropped: a pipe whose
 * reader stalls would otherwise buffer every later line in memory.
 */
export const MAX_PENDING_BYTES = 4 * 1024 * 1024;

/**
 * The output for a process stream (`process.stdout`). Pipes, sockets and terminals are
 * written through the stream; files and devices (`> file`, `/dev/full`) are written to
 * their descriptor directly, so that a write that failed for lack of space leaves the
 * next one free to succeed once there is space again (the stream would stay destroyed).
 */
export function createLogOutput(stream: Writable & { readonly fd?: number }): LogOutput {
  if (stream instanceof Socket || typeof stream.fd !== 'number') return createStreamOutput(stream);
  // NB: the stream may still be written by others (console.log); without a listener its
  // first failed write would be an uncaught 'error' event.
  stream.on('error', ignoreError);
  return createDescriptorOutput(stream.fd);
}

/** An output over a Writable: failures arrive in the write callback and are counted there. */
export function createStreamOutput(stream: Writable): LogOutput {
  let dropped = 0;
  const drop = (chunk: string) => void (dropped += countLines(chunk));
  // NB: without an 'error' listener, EPIPE on a closed pipe is an uncaught exception.
  stream.on('error', ignoreError);
  return {
    write(chunk) {
      if (!stream.writable || stream.writableLength >= MAX_PENDING_BYTES) return drop(chunk);
      try {
        stream.write(chunk, (error) => error && drop(chunk));
      } catch {
        drop(chunk);
      }
    },
    get droppedLines() {
      return dropped;
    },
  };
}

/**
 * An output over a file descriptor written synchronously (as Node writes stdout to a
 * file). A write cut short by a full disk leaves a partial line; the next successful
 * write starts on a fresh line so that every complete line stays one JSON object.
 */
export function createDescriptorOutput(fd: number): LogOutput {
  let dropped = 0;
  let midLine = false;
  return {
    write(chunk) {
      const prefix = midLine ? 1 : 0;
      const bytes = Buffer.from(midLine ? `\n${chunk}` : chunk);
      const written = writeAll(fd, bytes);
      if (written < bytes.length) dropped += countLines(bytes.subarray(Math.max(written, prefix)));
      if (written > 0) midLine = bytes[written - 1] !== NEWLINE;
    },
    get droppedLines() {
      return dropped;
    },
  };
}

const NEWLINE = 0x0a;

/** Writes as much of `bytes` as the descriptor takes; returns how many bytes it took. */
function writeAll(fd: number, bytes: Buffer): number {
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  } catch {
    // ENOSPC, EPIPE, EIO…: what was not written is dropped by the caller.
  }
  return offset;
}

/** The number of line ends in a chunk: each is one log line. */
function countLines(chunk: string | Buffer): number {
  let count = 0;
  for (let at = chunk.indexOf('\n'); at !== -1; at = chunk.indexOf('\n', at + 1)) count++;
  return count;
}

function ignoreError(): void {
  // Counted where the write failed; an 'error' event must never end the process.
}
