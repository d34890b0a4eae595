import type { Row } from '../store/store.js';
import type { FilterRecordSource } from './filter-context.js';
import type { JsonStep, PathHop, PathTerminal, ResolvedPath } from './filter-path.js';

/**
 * The raw items a path yields for one record, mirroring the SQL the compiler emits:
 * - a single relation leads to at most one row; a missing row (empty or dangling id)
 *   yields null for a column and no items for a list or a further multi hop;
 * - a multi relation yields one row per listed id, a dangling id giving a missing row;
 * - a back-relation yields every row whose relation column holds the record's id.
 * A path without multi hops or list terminal yields exactly one item.
 */
export function pathItems(path: ResolvedPath, record: Row, source: FilterRecordSource): unknown[] {
  return walk(path, 0, record, source);
}

function walk(path: ResolvedPath, index: number, row: Row | undefined, source: FilterRecordSource): unknown[] {
  const hop = path.hops[index];
  if (!hop) return terminalItems(path.terminal, row);
  if (hop.type === 'fixed')
    return hop.ids.flatMap((id) => walk(path, index + 1, source.getRecord(hop.target.id, id), source));
  if (hop.type === 'scan')
    return [...source.listRecords(hop.target.id)].flatMap((next) => walk(path, index + 1, next, source));
  if (hop.type === 'single') return walk(path, index + 1, row && lookup(source, hop, textOf(row[hop.column])), source);
  if (!row) return [];
  if (hop.type === 'multi')
    return listOf(row[hop.column]).flatMap((id) => walk(path, index + 1, lookup(source, hop, id), source));
  return referrers(source, hop, row).flatMap((referrer) => walk(path, index + 1, referrer, source));
}

function lookup(source: FilterRecordSource, hop: PathHop & { type: 'single' | 'multi' }, id: string): Row | undefined {
  return source.getRecord(hop.target.id, id);
}

function referrers(source: FilterRecordSource, hop: PathHop & { type: 'back' }, row: Row): Row[] {
  const id = textOf(row.id);
  const result: Row[] = [];
  for (const candidate of source.listRecords(hop.source.id)) {
    const value = candidate[hop.column];
    if (hop.multiColumn ? listOf(value).includes(id) : textOf(value) === id) result.push(candidate);
  }
  return result;
}

/** Column values with the column defaults (text '', number 0, bool false), null for a missing row. */
function terminalItems(terminal: PathTerminal, row: Row | undefined): unknown[] {
  if (terminal.type === 'list') return row ? listOf(row[terminal.column]) : [];
  if (!row) return [null];
  const value = row[terminal.column];
  if (terminal.type === 'json') return [extractJson(value, terminal.steps)];
  if (terminal.kind === 'number') return [typeof value === 'number' ? value : 0];
  if (terminal.kind === 'bool') return [value === true || value === 1];
  if (terminal.guard && !isEmailVisible(row, terminal.guard.ownerId)) return [''];
  return [textOf(value)];
}

/** See EmailGuard: the mirror of the compiler's CASE expression. */
function isEmailVisible(row: Row, ownerId: string | null): boolean {
  return row.emailVisibility === true || row.emailVisibility === 1 || (ownerId !== null && row.id === ownerId);
}

/** Follows object keys and array indexes into a JSON value; null when a step is missing. */
export function extractJson(value: unknown, steps: readonly JsonStep[]): unknown {
  let current: unknown = value ?? null;
  for (const step of steps) {
    if ('index' in step) current = Array.isArray(current) && step.index < current.length ? current[step.index] : null;
    else current = isPlainObject(current) && Object.hasOwn(current, step.key) ? current[step.key] : null;
    if (current === null || current === undefined) return null;
  }
  return current;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function listOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
