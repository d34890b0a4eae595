// Runs in a worker thread started by taskWorker (task-worker.ts): the other side.
import { parentPort } from 'node:worker_threads';
import type { TaskAnswer } from './task-worker.js';

/**
 * Answers each task posted to this worker with `run`'s value, or with the error's message
 * (and the code `codeOf` gives it); a `{kind: 'close'}` task calls `close` and ends the
 * worker. NB: only a driver's message crosses, never a stack.
 */
export function answerTasks<T extends { readonly id: number; readonly kind: string }>(
  run: (task: T) => unknown,
  close: () => void,
  codeOf: (error: unknown) => string | undefined = () => undefined,
): void {
  const port = parentPort!;
  port.on('message', (task: T | { kind: 'close' }) => {
    if (task.kind === 'close') {
      close();
      port.close();
      return;
    }
    const { id } = task as T;
    let answer: TaskAnswer;
    try {
      answer = { id, ok: true, value: run(task as T) };
    } catch (error) {
      answer = { id, ok: false, message: (error as Error).message, code: codeOf(error) };
    }
    port.postMessage(answer);
  });
}
