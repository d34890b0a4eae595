import {
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** What a selection costs: its deepest nesting, its fields, aliases and cost (fragments expanded). */
export interface QueryMeasure {
  readonly depth: number;
  readonly fields: number;
  readonly aliases: number;
  readonly cost: number;
}

const NONE: QueryMeasure = { depth: 0, fields: 0, aliases: 0, cost: 0 };

/**
 * Measures an operation. Each fragment is measured once per parent type and page size, so
 * a "fragment bomb" (fragments that spread each other many times) costs its size to
 * measure, not its expansion; a fragment cycle counts as nothing (validation refuses it).
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  listFactor: number,
  variables: Readonly<Record<string, unknown>> = {},
): QueryMeasure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === 'FragmentDefinition') fragments.set(d.name.value, d);
  const root = schema.getRootType(operation.operation);
  if (!root) return NONE;
  const memo = new Map<string, QueryMeasure>();
  const active = new Set<string>();

  const measureSet = (set: SelectionSetNode, parent: GraphQLNamedType, paged = listFactor): QueryMeasure => {
    let depth = 0;
    let fields = 0;
    let aliases = 0;
    let cost = 0;
    const add = (m: QueryMeasure, extraDepth: number, factor: number) => {
      depth = Math.max(depth, m.depth + extraDepth);
      fields += m.fields;
      aliases += m.aliases;
      cost += m.cost * factor;
    };
    for (const selection of set.selections) {
      if (selection.kind === 'Field') {
        const type = isObjectType(parent) ? parent.getFields()[selection.name.value]?.type : undefined;
        const perPage = perPageOf(selection, variables);
        const child =
          selection.selectionSet && type ? measureSet(selection.selectionSet, getNamedType(type), perPage) : NONE;
        fields += 1;
        cost += 1;
        if (selection.alias) aliases += 1;
        // A page's `items` cost as many times as the page may hold; other lists `listFactor` times.
        const factor = !type || !isList(type) ? 1 : selection.name.value === 'items' ? paged : listFactor;
        add(child, 1, factor);
        depth = Math.max(depth, 1);
      } else if (selection.kind === 'InlineFragment') {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        add(measureSet(selection.selectionSet, on ?? parent, paged), 0, 1);
      } else add(measureSpread(selection.name.value, parent, paged), 0, 1);
    }
    return { depth, fields, aliases, cost };
  };

  const measureSpread = (name: string, parent: GraphQLNamedType, paged: number): QueryMeasure => {
    const fragment = fragments.get(name);
    const key = `${name}\u0000${parent.name}\u0000${paged}`;
    if (!fragment || active.has(name)) return NONE;
    const known = memo.get(key);
    if (known) return known;
    active.add(name);
    const on = schema.getType(fragment.typeCondition.name.value) ?? parent;
    const measured = measureSet(fragment.selectionSet, on, paged);
    active.delete(name);
    memo.set(key, measured);
    return measured;
  };

  return measureSet(operation.selectionSet, root);
}

/** The page size a field asks for: its `perPage` as core clamps it (1 to 1000; 30 when absent or unknown). */
function perPageOf(field: FieldNode, variables: Readonly<Record<string, unknown>>): number {
  const arg = field.arguments?.find((a) => a.name.value === 'perPage')?.value;
  const value =
    arg?.kind === Kind.INT ? Number(arg.value) : arg?.kind === Kind.VARIABLE ? variables[arg.name.value] : undefined;
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? Math.min(value, 1000) : 30;
}

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}
