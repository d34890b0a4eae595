import { randomBytes } from 'node:crypto';

/**
 * Makes request ids: a random prefix per server and a counter (`2cb9c5-8`). Unique
 * within a process and short enough to read in a log line; the prefix tells two
 * instances' logs apart. One generator serves every path that answers a request, so
 * ids never repeat between them.
 *
 * @example const nextId = createRequestIds(); nextId(); // '2cb9c5-1'
 */
export function createRequestIds(): () => string {
  const prefix = randomBytes(3).toString('hex');
  let counter = 0;
  return () => `${prefix}-${(++counter).toString(36)}`;
}
