import { createHook } from 'node:async_hooks';

let kept: object | undefined;

/**
 * Keeps one of Node's `process.nextTick` queue entries (a "TickObject") alive for the life
 * of the process, so that the hidden classes of those entries, and the field types they
 * record, are never collected.
 *
 * Why: Node builds each entry as `{ [async_id_symbol]: …, [trigger_async_id_symbol]: …,
 * callback, args }`. For each computed-key define of that literal V8's runtime records one
 * hidden class and, unlike other property sites, has no polymorphic state: the first entry
 * that arrives with another hidden class turns the site megamorphic for good (V8's
 * `Runtime_DefineKeyedOwnPropertyInLiteral`), and from then on every entry defines its
 * properties in the runtime. In Tandem's server that happened as the first requests
 * arrived, in every process probed, and in none once one entry, with its callback and
 * arguments, was kept alive (why the class changed was not established; keeping an entry
 * is what prevented it). An HTTP request queues about nine ticks: the runtime defines cost
 * a GET by id about 34,000 instructions, 14% of its main-thread work (callgrind, V8's
 * feedback dump; docs/performance.md). Keeping one entry costs a few hundred bytes; a Node
 * version that builds its entries differently keeps an entry that helps nothing and
 * changes nothing else.
 *
 * Call it first thing in the process, before the first requests: the entry kept is the one
 * the next `process.nextTick` queues, caught by an async hook that is on for that one call.
 */
export function keepTickObjectShape(): void {
  if (kept) return;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject') kept ??= resource;
    },
  });
  hook.enable();
  try {
    process.nextTick(() => undefined);
  } finally {
    hook.disable();
  }
}

/** The entry kept (tests). */
export function keptTickObject(): object | undefined {
  return kept;
}
