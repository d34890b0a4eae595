import type { RecordData } from '../schema/principal.js';
import { AppError } from '../errors/app-error.js';
import type { Collection, FieldDef } from '../schema/collection.js';
import { isMultiValued } from '../schema/field-storage.js';
import type { RecordDeps } from './record-deps.js';
import { relationIdsOf, selectViewableByIds, selectViewableReferencing } from './record-related.js';
import type { RecordJson } from './record-codec.js';
import { viewerIdOf, type RequestContext } from './request-context.js';

const MAX_DEPTH = 6;
const MAX_EXPAND_LENGTH = 2000;
/**
 * Most JSON one answer's `expand` may write, in characters (about bytes), counted as the
 * answer holds it: a related record is loaded once per level but written out under every
 * record that points at it. A dozen records that relate to each other, six levels deep,
 * would be written billions of times (a guest's 12 records made a 512 MB string and a
 * 500), and 300 records that each list the 300, two levels deep, are half a gigabyte.
 */
export const MAX_EXPANDED_JSON = 32 * 1024 * 1024;

/** A parsed `expand` parameter: relation names, each with its nested expands. */
export type ExpandTree = Map<string, ExpandTree>;

/** Parses `author,comments_via_post.author` into a tree (depth ≤ 6; deeper parts are dropped). */
export function parseExpand(text: string | undefined): ExpandTree {
  const tree: ExpandTree = new Map();
  if (!text) return tree;
  if (text.length > MAX_EXPAND_LENGTH) throw new AppError('EXPAND_INVALID', 'The expand parameter is too long.');
  for (const path of text.split(',')) {
    let node = tree;
    for (const name of path.trim().split('.').slice(0, MAX_DEPTH)) {
      if (!/^\w+$/.test(name)) break;
      if (!node.has(name)) node.set(name, new Map());
      node = node.get(name)!;
    }
  }
  return tree;
}

/**
 * Adds `expand` to records' JSON. Each related record must pass its collection's view
 * rule for this request; what fails or does not resolve is left out silently (as in
 * PocketBase), and hidden relation fields expand only for superusers. An expand that
 * would write more than MAX_EXPANDED_JSON is refused (400 EXPAND_INVALID) before any of
 * it is written out.
 */
export async function expandRecords(
  deps: RecordDeps,
  collection: Collection,
  records: RecordData[],
  json: RecordJson[],
  tree: ExpandTree,
  request: RequestContext,
): Promise<void> {
  if (tree.size === 0 || records.length === 0) return;
  const sizes: JsonSizes = new WeakMap();
  await expandLevel(deps, collection, records, json, tree, { ...request, context: 'expand' }, sizes);
  const total = json.reduce((sum, item) => sum + (sizes.get(item) ?? 0), 0);
  const budget = request.expandBudget ?? { left: MAX_EXPANDED_JSON };
  if (total > budget.left)
    throw new AppError(
      'EXPAND_INVALID',
      `The expand would write more than ${MAX_EXPANDED_JSON / 2 ** 20} MiB of JSON.`,
    );
  budget.left -= total;
}

/**
 * expandRecords for the answer of a write that has committed (or a session already
 * issued): an expand over the bound leaves the answer without `expand`, as PocketBase
 * leaves out what it cannot expand. A 400 would tell the client its write failed.
 */
export async function expandAfterCommit(...args: Parameters<typeof expandRecords>): Promise<void> {
  try {
    await expandRecords(...args);
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'EXPAND_INVALID')) throw error;
    const [, , , json] = args;
    for (const item of json) delete item.expand;
  }
}

/**
 * The JSON each related record's object writes, its expand included, in characters (an
 * answer's own records: what their expand adds).
 */
type JsonSizes = WeakMap<RecordJson, number>;

async function expandLevel(
  deps: RecordDeps,
  collection: Collection,
  records: RecordData[],
  json: RecordJson[],
  tree: ExpandTree,
  request: RequestContext,
  sizes: JsonSizes,
): Promise<void> {
  if (tree.size === 0 || records.length === 0) return;
  for (const [name, children] of tree) {
    const relation = resolveRelation(deps, collection, name, request);
    if (!relation) continue;
    const related = await loadRelated(deps, relation, records, request);
    const relatedJson = related.map((r) =>
      deps.codec(relation.target).toJson(r, request.principal.kind === 'superuser', viewerIdOf(request)),
    );
    for (const item of relatedJson) sizes.set(item, JSON.stringify(item).length);
    await expandLevel(deps, relation.target, related, relatedJson, children, request, sizes);
    const byId = new Map(relatedJson.map((r) => [r.id, r]));
    records.forEach((record, i) => attach(json[i]!, name, relation, record, byId, related, sizes));
  }
}

interface Relation {
  readonly target: Collection;
  readonly field: FieldDef;
  /** True for `<collection>_via_<field>`: records of `target` that point at this one. */
  readonly back: boolean;
}

function resolveRelation(
  deps: RecordDeps,
  collection: Collection,
  name: string,
  request: RequestContext,
): Relation | undefined {
  const showHidden = request.principal.kind === 'superuser';
  const direct = collection.fields.find((f) => f.name === name && f.type === 'relation');
  if (direct) {
    const target = deps.collections.find(direct.collectionId ?? '');
    return target && (showHidden || !direct.hidden) ? { target, field: direct, back: false } : undefined;
  }
  const via = /^(\w+)_via_(\w+)$/.exec(name);
  if (!via) return undefined;
  const target = deps.collections.find(via[1]!);
  const field = target?.fields.find(
    (f) => f.name === via[2] && f.type === 'relation' && f.collectionId === collection.id,
  );
  return target && field && (showHidden || !field.hidden) ? { target, field, back: true } : undefined;
}

async function loadRelated(
  deps: RecordDeps,
  relation: Relation,
  records: RecordData[],
  request: RequestContext,
): Promise<RecordData[]> {
  if (relation.back)
    return selectViewableReferencing(
      deps,
      relation.target,
      relation.field,
      records.map((r) => r.id),
      request,
    );
  const ids = [...new Set(records.flatMap((r) => idsOf(r[relation.field.name])))];
  return selectViewableByIds(deps, relation.target, ids, request);
}

function attach(
  json: RecordJson,
  name: string,
  relation: Relation,
  record: RecordData,
  byId: Map<string, RecordJson>,
  related: RecordData[],
  sizes: JsonSizes,
): void {
  let value: unknown;
  if (relation.back) {
    const items = related.filter((r) => idsOf(r[relation.field.name]).includes(record.id)).map((r) => byId.get(r.id)!);
    value = items.length > 0 ? items : undefined;
  } else if (isMultiValued(relation.field)) {
    const items = idsOf(record[relation.field.name])
      .map((id) => byId.get(id))
      .filter((r) => r !== undefined);
    value = items.length > 0 ? items : undefined;
  } else value = byId.get(record[relation.field.name] as string);
  if (value === undefined) return;
  json.expand ??= {};
  json.expand[name] = value;
  const children = Array.isArray(value) ? value : [value as RecordJson];
  const written = children.reduce((sum, child) => sum + (sizes.get(child) ?? 0), 0);
  sizes.set(json, (sizes.get(json) ?? 0) + written);
}

const idsOf = relationIdsOf;
