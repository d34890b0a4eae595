import { createContext, Script } from 'node:vm';
import { AppError } from '../errors/app-error.js';

/** What a handler receives: the event, and `next()` that runs the rest of the chain and then the action itself. */
export type HookEvent<E> = E & { next(): Promise<void> };

/** A hook handler: it may change the event, throw to refuse, and must call `await e.next()` to go on. */
export type HookHandler<E> = (event: HookEvent<E>) => Promise<void> | void;

/** Calls a handler; `budgetMs` bounds how long its promise may stay pending. */
export type HookRunner = <E>(handler: HookHandler<E>, event: HookEvent<E>) => Promise<void>;

interface Entry<E> {
  readonly id: string;
  readonly handler: HookHandler<E>;
  /** Collection names (or other tags) the handler is limited to; empty for every event. */
  readonly tags: ReadonlySet<string>;
}

/**
 * One hook in the style of PocketBase's `tools/hook`: handlers run in the order they
 * were added, each gets the event and a `next()` that runs the following handler and,
 * after the last, the action itself. A handler that does not call `next()` stops the
 * chain (the action does not happen). Handlers may be limited to tags (collection names).
 * @example hook.add((e) => { e.record.title = e.record.title.trim(); return e.next(); }, ['posts'])
 */
export class Hook<E extends object> {
  #entries: Entry<E>[] = [];
  #counter = 0;

  /** Adds a handler (for events tagged with one of `tags`, or every event when empty); returns its id. */
  add(handler: HookHandler<E>, tags: readonly string[] = []): string {
    const id = `h${++this.#counter}`;
    this.#entries = [...this.#entries, { id, handler, tags: new Set(tags) }];
    return id;
  }

  /** Removes the handler `id`; a no-op when there is none. */
  remove(id: string): void {
    this.#entries = this.#entries.filter((entry) => entry.id !== id);
  }

  /** Removes every handler (hooks are reloaded). */
  clear(): void {
    this.#entries = [];
  }

  /** How many handlers there are. */
  get size(): number {
    return this.#entries.length;
  }

  /** True when a handler would run for an event tagged `tag` (the action can then skip the hook's work). */
  has(tag?: string): boolean {
    return this.#entries.some((entry) => entry.tags.size === 0 || (tag !== undefined && entry.tags.has(tag)));
  }

  /**
   * Runs the handlers for `event` (those for `tag` and the untagged ones), then `action`.
   * `run` calls each handler (with a time budget: see `budgetedRunner`).
   */
  async trigger(
    event: E,
    action: (event: E) => Promise<void>,
    tag?: string,
    run: HookRunner = plainRunner,
  ): Promise<void> {
    const entries = this.#entries.filter((e) => e.tags.size === 0 || (tag !== undefined && e.tags.has(tag)));
    const step = async (index: number): Promise<void> => {
      if (index === entries.length) return action(event);
      let called = false;
      const next = () => {
        // NB: a second next() from the same handler would run the action twice.
        if (called) return Promise.resolve();
        called = true;
        return step(index + 1);
      };
      await run(entries[index]!.handler, Object.assign(event, { next }) as HookEvent<E>);
    };
    return step(0);
  }
}

const plainRunner: HookRunner = async (handler, event) => handler(event);

/**
 * Runs handlers with a time budget: a handler that runs synchronously past `budgetMs`
 * (a `while (true) {}`) is stopped, and one whose promise is still pending after it is
 * abandoned; either fails the event with HOOK_TIMEOUT (and whatever it wrapped, e.g. a
 * write's transaction, is rolled back). See withinBudget.
 */
export function budgetedRunner(budgetMs: number): HookRunner {
  return (handler, event) => withinBudget(() => handler(event), budgetMs);
}

/**
 * Runs `work` and fails with HOOK_TIMEOUT when it runs synchronously past `budgetMs` or
 * its promise is still pending after it. The synchronous part runs under V8's execution
 * timeout (node:vm's `timeout`, a watchdog thread that terminates the running script),
 * so a loop that never yields is stopped and the server goes on. What runs after the
 * work's first `await` is not bounded that way: a promise that never settles is
 * abandoned at the budget; a loop in a later continuation, or in a timer the work
 * started, is left to the process watchdog. Costs a watchdog thread per call (about
 * 20 µs): hooks are opt-in, and code without hooks never comes here.
 */
export async function withinBudget<T>(work: () => Promise<T> | T, budgetMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('HOOK_TIMEOUT')), budgetMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => runBounded(work, budgetMs)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** An empty context whose one script calls the function it is handed (the function keeps its own realm). */
const boundedContext = createContext({});
const callHandedFunction = new Script('__tandemBounded()');

/** Runs `work` synchronously under an execution timeout of `budgetMs`; HOOK_TIMEOUT when it is cut off. */
function runBounded<T>(work: () => T, budgetMs: number): T {
  const previous = boundedContext.__tandemBounded;
  boundedContext.__tandemBounded = work;
  try {
    return callHandedFunction.runInContext(boundedContext, { timeout: Math.max(1, Math.floor(budgetMs)) }) as T;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new AppError('HOOK_TIMEOUT');
    throw error;
  } finally {
    // NB: bounded runs nest (a handler's next() runs the next handler synchronously).
    boundedContext.__tandemBounded = previous;
  }
}
