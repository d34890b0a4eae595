import { createLogOutput, type LogOutput } from '@tandem/server';

/**
 * The log output of `tandem serve`: stdout, where a closed pipe or a full disk drops and
 * counts lines instead of ending the process. stderr gets the same guard: Tandem writes
 * only startup failures there, but Node writes its warnings there too, and a failed
 * write with no 'error' listener is an uncaught exception.
 */
export function createStdioLogOutput(): LogOutput {
  if (process.stderr.listenerCount('error') === 0) process.stderr.on('error', () => undefined);
  return createLogOutput(process.stdout);
}
