// Runs in a worker thread started by taskWorker (task-worker.ts): the other side.
import { parentPort } from 'node:worker_threads';
import type { TaskAnswer } from './task-worker.js';

/**
 * Answers each task posted to this worker with `run`'s value (once settled, when it is a
 * promise), or with the error's message (and the code `codeOf` gives it); a `{kind:
 * 'close'}` task calls `close` and ends the worker once it settles. NB: only a driver's
 * message crosses, never a stack.
 */
export function answerTasks<T extends { readonly id: number; readonly kind: string }>(
  run: (task: T) => unknown,
  close: () => unknown,
  codeOf: (error: unknown) => string | undefined = () => undefined,
): void {
  const port = parentPort!;
  const failed = (id: number, error: unknown): TaskAnswer => ({
    id,
    ok: false,
    message: (error as Error).message,
    code: codeOf(error),
  });
  port.on('message', (task: T | { kind: 'close' }) => {
    if (task.kind === 'close') {
      void Promise.resolve()
        .then(close)
        .catch(() => undefined)
        .finally(() => port.close());
      return;
    }
    const { id } = task as T;
    let value: unknown;
    try {
      value = run(task as T);
    } catch (error) {
      port.postMessage(failed(id, error));
      return;
    }
    if (!(value instanceof Promise)) return port.postMessage({ id, ok: true, value } satisfies TaskAnswer);
    value.then(
      (settled: unknown) => port.postMessage({ id, ok: true, value: settled } satisfies TaskAnswer),
      (error: unknown) => port.postMessage(failed(id, error)),
    );
  });
}
