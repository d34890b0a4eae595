// sonic-boom is CommonJS with the class as module.exports: ESM sees only the default export.
import sonicBoom, { type SonicBoom } from 'sonic-boom';

/**
 * Where the logger's lines go. Writing never throws and never ends the process: a line
 * the destination cannot take (a closed pipe, a full disk, a reader too far behind) is
 * dropped and counted, and the server goes on.
 */
export interface LogOutput {
  /** Queues whole lines (each ending in `\n`); they are written off the event loop. */
  write(chunk: string): void;
  /** Lines dropped so far (exposed as `tandem_log_dropped_lines_total`). */
  readonly droppedLines: number;
  /**
   * Resolves once every line queued so far is written or dropped, or after `timeoutMs`:
   * lines a stalled reader has not taken by then are dropped, so that shutdown never
   * waits on it.
   */
  flush(timeoutMs?: number): Promise<void>;
}

/**
 * Most bytes queued unwritten before further lines are dropped: a pipe whose reader
 * stalls would otherwise hold every later line in memory.
 */
export const MAX_PENDING_BYTES = 4 * 1024 * 1024;

/** How long `flush` waits for a slow reader by default (at shutdown). */
export const FLUSH_TIMEOUT_MS = 2_000;

/**
 * The output for a file descriptor (1 for stdout), written by sonic-boom off the event
 * loop: the lines of up to `handoverMs` (HANDOVER_MS) are joined and handed over as one chunk, and
 * chunks queue in memory while a write is under way, so logging every request costs a
 * string append per request and a write, done by libuv's thread pool, for many.
 *
 * A failed write (EPIPE, ENOSPC, EIO…) drops the lines it carried and counts them; the
 * next line is tried again, so a file or device takes lines again once it has space. A
 * full pipe (EAGAIN) is retried every 100 ms while at most MAX_PENDING_BYTES wait.
 *
 * @example
 * const output = createLogOutput(process.stdout.fd);
 * output.write('{"msg":"hello"}\n');
 * await output.flush();
 */
export function createLogOutput(fd: number, handoverMs = HANDOVER_MS): LogOutput {
  let dropped = 0;
  let givingUp = false;
  const idle: Array<() => void> = [];
  const boom = new sonicBoom.SonicBoom({ fd, sync: false, maxLength: MAX_PENDING_BYTES, retryEAGAIN: () => !givingUp });
  const queue = queueOf(boom);
  const lines = joinLines((chunk) => boom.write(chunk), handoverMs);
  const settle = () => {
    if (queue.pendingBytes() > 0) return;
    givingUp = false;
    for (const resolve of idle.splice(0)) resolve();
  };
  boom.on('drop', (chunk: string) => void (dropped += countLines(chunk)));
  boom.on('drain', settle);
  boom.on('write', (bytes: number) => {
    if (bytes > 0) queue.wrote();
  });
  boom.on('error', () => {
    dropped += queue.dropFailedChunk();
    settle();
  });
  return {
    write: lines.add,
    get droppedLines() {
      return dropped;
    },
    flush(timeoutMs = FLUSH_TIMEOUT_MS) {
      lines.handOver();
      if (queue.pendingBytes() === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => ((givingUp = true), resolve()), timeoutMs);
        idle.push(() => (clearTimeout(timer), resolve()));
      });
    },
  };
}

/** Length at which the joined lines are handed over at once. */
const HANDOVER_LENGTH = 64 * 1024;

/** Longest a line waits to be handed over (a line reaches its output this much later at most). */
export const HANDOVER_MS = 10;

/**
 * Joins the chunks added within `delayMs` (up to HANDOVER_LENGTH) and hands them to
 * `write` together. NB: each hand-over is a write done by libuv's thread pool and a
 * callback back on the event loop, a few microseconds of CPU whatever its size; under
 * load an event-loop turn answers only a few requests, so a hand-over per turn cost a
 * request's line as much again as making it. SonicBoom also measures the UTF-8 length of
 * its last queued string on every write, which makes a write per line cost microseconds
 * once lines pile up behind a slow write; an append costs a few nanoseconds. Lines are
 * kept in an array and joined once: appending each to one string made a chain of pieces
 * that the hand-over then had to walk and copy, a few percent of the event loop under
 * load. The timer is not unref'd: a process whose work is done still writes its last lines.
 */
function joinLines(write: (chunk: string) => void, delayMs: number): { add(chunk: string): void; handOver(): void } {
  let lines: string[] = [];
  let length = 0;
  let timer: NodeJS.Timeout | undefined;
  const handOver = () => {
    clearTimeout(timer);
    timer = undefined;
    if (length === 0) return;
    const chunk = lines.join('');
    lines = [];
    length = 0;
    write(chunk);
  };
  const add = (chunk: string) => {
    lines.push(chunk);
    length += chunk.length;
    if (length >= HANDOVER_LENGTH) handOver();
    else timer ??= setTimeout(handOver, delayMs);
  };
  return { add, handOver };
}

/**
 * The part of SonicBoom's private state that dropping a failed chunk needs (sonic-boom
 * is pinned to an exact version, and log-output.test.ts covers each path).
 */
interface SonicBoomState {
  /** The chunk being written: a string, or the Buffer left over after a partial write. */
  _writingBuf: string | Buffer;
  /** Bytes queued, the chunk being written included. */
  _len: number;
  /** A write is under way, or waits to retry a full pipe. */
  _writing: boolean;
  /** Writes the chunk slot, or else the next queued chunk. */
  _actualWrite(): void;
}

/** What createLogOutput needs of SonicBoom's queue beyond its public methods. */
interface BoomQueue {
  /** Bytes of lines queued and not yet written. */
  pendingBytes(): number;
  /** Notes that bytes reached the destination. */
  wrote(): void;
  /** Drops the chunk whose write failed, goes on with the next, and returns the lines dropped. */
  dropFailedChunk(): number;
}

/**
 * NB: after a failed write SonicBoom keeps the chunk and retries it on the next write
 * (so that a caller may reopen a file without losing it). On a closed pipe or a full
 * device that retry never succeeds, and the queue would stay at its limit for good: the
 * failed chunk is dropped instead, and the next queued one written. When a chunk was cut
 * short inside a line, a line break is written before anything else, so that each
 * complete line stays one JSON object.
 */
function queueOf(boom: SonicBoom): BoomQueue {
  const state = boom as unknown as SonicBoomState;
  let midLine = false;
  return {
    // Between writes, the chunk slot holds nothing or the line break still owed.
    pendingBytes: () => state._len - (state._writing ? 0 : Buffer.byteLength(state._writingBuf)),
    wrote: () => void (midLine = false),
    dropFailedChunk() {
      const failed = state._writingBuf;
      midLine ||= startsMidLine(failed);
      const owed = midLine ? LINE_BREAK : '';
      state._len -= Buffer.byteLength(failed) - owed.length;
      state._writingBuf = owed;
      // The line break alone waits for the next line: retrying it now would spin on a full disk.
      if (state._len > owed.length) state._actualWrite();
      return failed === LINE_BREAK ? 0 : countLines(failed);
    },
  };
}

const LINE_BREAK = '\n';
const NEWLINE = 0x0a;

/**
 * True for what is left of a chunk after a partial write, when the bytes written ended
 * inside a line. SonicBoom queues strings; a leftover is a Buffer viewing the rest of
 * the chunk, so the last byte written is the one just before it.
 */
function startsMidLine(chunk: string | Buffer): boolean {
  if (typeof chunk === 'string' || chunk.byteOffset === 0) return false;
  return new Uint8Array(chunk.buffer, chunk.byteOffset - 1, 1)[0] !== NEWLINE;
}

/** The number of line ends in a chunk: each is one log line. */
function countLines(chunk: string | Buffer): number {
  let count = 0;
  for (let at = chunk.indexOf(LINE_BREAK); at !== -1; at = chunk.indexOf(LINE_BREAK, at + 1)) count++;
  return count;
}
