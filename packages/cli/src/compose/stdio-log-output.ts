import { createLogOutput, type LogOutput } from '@tandem/server';

/**
 * The log output of `tandem serve`: stdout (fd 1), where a closed pipe or a full disk
 * drops and counts lines instead of ending the process. Node's own streams over fd 1 and
 * 2 are still written (console.log; Node's warnings on stderr), so both get an 'error'
 * listener: a failed write without one is an uncaught exception.
 */
export function createStdioLogOutput(): LogOutput {
  // NB: a listener of our own, whatever is there already: a pipe into stdout (a worker
  // thread's output is piped there) holds an 'error' listener only until it unpipes.
  for (const stream of [process.stdout, process.stderr])
    if (!stream.listeners('error').includes(ignoreStreamError)) stream.on('error', ignoreStreamError);
  // NB: opening process.stdout (above) puts a pipe in non-blocking mode: a reader that
  // stalls then makes the log's writes wait and retry (EAGAIN), not hold a thread of
  // libuv's pool in a blocked write.
  return createLogOutput(process.stdout.fd);
}

function ignoreStreamError(): void {}
