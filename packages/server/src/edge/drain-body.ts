import type { Readable } from 'node:stream';

/** Most bytes of a refused body read and dropped before the refusal is sent. */
export const DRAIN_BYTES = 1024 * 1024;
/** Longest wait for them. */
export const DRAIN_MS = 2000;

/**
 * Reads and drops the rest of a refused body, up to `maxBytes` or `ms`, before the refusal
 * goes out. A server that answers and closes the connection (Fastify closes it after a
 * body it did not read) while the client's bytes still wait unread on the socket resets
 * it, and a client still sending loses the answer: a file a little over its limit met a
 * reset instead of its 413. Past the bound the rest is left to the close: a client
 * sending gigabytes is not read to the end.
 */
export function drainBody(payload: Readable, maxBytes = DRAIN_BYTES, ms = DRAIN_MS): Promise<void> {
  return new Promise((drained) => {
    if (payload.readableEnded || payload.destroyed) return drained();
    let left = maxBytes;
    const stop = () => {
      clearTimeout(timer);
      payload.off('data', count).off('end', stop).off('close', stop).off('error', stop);
      drained();
    };
    const count = (chunk: Buffer) => {
      left -= chunk.length;
      if (left < 0) stop();
    };
    const timer = setTimeout(stop, ms);
    payload.on('data', count).once('end', stop).once('close', stop).once('error', stop);
    payload.resume();
  });
}
