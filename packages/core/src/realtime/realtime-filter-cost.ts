import { AppError } from '../errors/app-error.js';
import type { FilterNode, FilterOperand } from '../filter/filter-ast.js';
import { resolvePath } from '../filter/filter-path.js';
import type { Collection } from '../schema/collection.js';
import type { SchemaView } from '../schema/schema-view.js';

/**
 * Most multi relations, back-relations and `@collection` scans one path of a realtime
 * subscription's filter may pass. Every change runs the subscription's check again, on
 * the database when the filter crosses relations, and each such hop multiplies the rows
 * the check walks: one hop is one list per record, two or more multiply. A guest's five
 * subscriptions through four multi relations of 60 made every write wait 10 s (each check
 * stopped only by the statement budget), and a client may hold a thousand.
 */
export const MAX_REALTIME_FAN_OUT = 1;

/** Refuses (400, before the subscription is stored) a filter with a path past MAX_REALTIME_FAN_OUT. */
export function assertRealtimeFilterCost(node: FilterNode, schema: SchemaView, collection: Collection): void {
  for (const operand of operandsOf(node))
    if (fanOutOf(operand, schema, collection) > MAX_REALTIME_FAN_OUT)
      throw new AppError('BAD_REQUEST', FAN_OUT_MESSAGE, {
        topic: { code: 'validation_invalid_subscription', message: FAN_OUT_MESSAGE },
      });
}

const FAN_OUT_MESSAGE =
  `A realtime filter may pass at most ${MAX_REALTIME_FAN_OUT} multi relation, back-relation or @collection ` +
  'per path: every change runs it again.';

function* operandsOf(node: FilterNode): Generator<FilterOperand> {
  if (node.type !== 'comparison') {
    for (const item of node.items) yield* operandsOf(item);
    return;
  }
  for (const side of [node.left, node.right]) {
    if (side.type === 'function') yield* side.args;
    else yield side;
  }
}

/** The fan-out hops of one operand's path; a path that does not resolve counts none (the filter's compile refuses it). */
function fanOutOf(operand: FilterOperand, schema: SchemaView, collection: Collection): number {
  if (operand.type === 'field') return fanOutHops(operand.path, schema, collection);
  if (operand.type !== 'collection') return 0;
  const target = schema.find(operand.collection);
  return target ? 1 + fanOutHops(operand.path, schema, target) : 0;
}

function fanOutHops(path: readonly string[], schema: SchemaView, collection: Collection): number {
  try {
    const resolved = resolvePath(path, {
      schema,
      collection,
      allowHidden: true,
      fail: (what) => new AppError('FILTER_INVALID', what),
    });
    return resolved.hops.filter((hop) => hop.type === 'multi' || hop.type === 'back' || hop.type === 'scan').length;
  } catch {
    return 0;
  }
}
