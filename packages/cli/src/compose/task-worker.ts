import { Worker } from 'node:worker_threads';

/** A worker's answer to one task (see answerTasks in worker-tasks.ts). */
export type TaskAnswer =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly code?: string };

/** A task the worker failed: the driver's message, and the code the worker gave it (see TaskAnswer). */
export class TaskError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'TaskError';
  }
}

/** Tasks for one kind of worker thread: `run` starts one when none is alive. */
export interface TaskWorker<T extends object> {
  run(task: T, transfer?: readonly ArrayBuffer[]): Promise<unknown>;
  /** Asks the worker to close (a `{kind: 'close'}` task) and waits for its exit. */
  close(): Promise<void>;
}

/** How a worker's errors read: `<what>: <driver message>`, `<name> stopped`, `<name> failed: …`. */
export interface TaskWorkerNames {
  /** What its tasks are about (`request log`). */
  readonly what: string;
  /** The worker (`request log writer`). */
  readonly name: string;
}

/**
 * Runs tasks on a worker thread of `url` (whose module calls answerTasks), started at the
 * first task. When it dies (a crash, an error at start) the tasks it held are rejected and
 * the next task starts a new one. The worker keeps the process alive only while it holds
 * a task: an idle one never delays an exit, and a task at shutdown is finished.
 */
export function taskWorker<T extends object>(url: URL, workerData: unknown, names: TaskWorkerNames): TaskWorker<T> {
  let current: RunningWorker | undefined;
  let nextId = 1;
  return {
    run(task, transfer = []) {
      if (!current?.alive) current = startWorker(url, workerData, names);
      return current.run({ ...task, id: nextId++ }, transfer);
    },
    close: async () => current?.close(),
  };
}

interface RunningWorker {
  readonly alive: boolean;
  run(task: object, transfer: readonly ArrayBuffer[]): Promise<unknown>;
  close(): Promise<void>;
}

interface Waiting {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** One worker thread and the tasks it holds: when it dies, exactly those are rejected. */
function startWorker(url: URL, workerData: unknown, { what, name }: TaskWorkerNames): RunningWorker {
  const worker = new Worker(url, { workerData });
  worker.unref();
  const waiting = new Map<number, Waiting>();
  let alive = true;
  let closing = false;
  let failure = new Error(`${name} stopped`);
  worker.on('message', (answer: TaskAnswer) => {
    const entry = waiting.get(answer.id);
    waiting.delete(answer.id);
    // NB: not once asked to close: the process waits for the worker's exit, and a task
    // answered meanwhile must not let it end first (with `close` never settled).
    if (waiting.size === 0 && !closing) worker.unref();
    if (answer.ok) entry?.resolve(answer.value);
    else entry?.reject(new TaskError(`${what}: ${answer.message}`, answer.code));
  });
  worker.on('error', (error) => {
    failure = new Error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
  });
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      alive = false;
      for (const entry of waiting.values()) entry.reject(failure);
      waiting.clear();
      resolve();
    }),
  );
  return {
    get alive() {
      return alive;
    },
    run: (task, transfer) =>
      new Promise((resolve, reject) => {
        waiting.set((task as { id: number }).id, { resolve, reject });
        worker.ref();
        worker.postMessage(task, transfer as ArrayBuffer[]);
      }),
    async close() {
      if (!alive) return;
      closing = true;
      worker.ref(); // until it has closed its connection
      worker.postMessage({ kind: 'close' });
      await exited;
    },
  };
}
