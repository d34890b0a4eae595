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
 * Runs handlers with a time budget: a handler whose promise is still pending after
 * `budgetMs` fails the event with HOOK_TIMEOUT (and whatever it wrapped, e.g. a write's
 * transaction, is rolled back). NB: JavaScript cannot stop a synchronous loop; only a
 * handler that awaits forever is bounded.
 */
export function budgetedRunner(budgetMs: number): HookRunner {
  return (handler, event) => withinBudget(() => handler(event), budgetMs);
}

/**
 * Runs `work` and fails with HOOK_TIMEOUT when its promise is still pending after
 * `budgetMs` (the work itself is abandoned, not stopped: see budgetedRunner).
 */
export async function withinBudget<T>(work: () => Promise<T> | T, budgetMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('HOOK_TIMEOUT')), budgetMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(work), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
