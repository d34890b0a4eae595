import { AppError } from '../errors/app-error.js';

/** A parsed `fields` parameter: which keys to keep at each depth, and modifiers. */
interface PickTree {
  all: boolean;
  keys: Map<string, PickNode>;
}

interface PickNode {
  excerpt?: { max: number; ellipsis: boolean };
  children?: PickTree;
}

const MAX_FIELDS_LENGTH = 2000;
const PATH = /^(\*|[A-Za-z0-9_@]+)(\.(\*|[A-Za-z0-9_@]+))*(:excerpt\(\s*(\d+)\s*(,\s*(true|false|1|0|t|f)\s*)?\))?$/;

/**
 * Parses a `fields` parameter: a comma list of dot paths, `*` for every key at a depth,
 * and the `:excerpt(max[,ellipsis])` modifier. Throws FIELDS_INVALID on bad syntax.
 */
export function parseFields(text: string): PickTree | undefined {
  if (text.trim() === '') return undefined;
  if (text.length > MAX_FIELDS_LENGTH) throw invalid('The fields parameter is too long.');
  const root: PickTree = { all: false, keys: new Map() };
  for (const part of splitOutsideParens(text)) addPath(root, part.trim());
  return root;
}

/** Splits on commas that are not inside `( )`, so `body:excerpt(20,true)` stays whole. */
function splitOutsideParens(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '(') depth++;
    else if (char === ')') depth = Math.max(0, depth - 1);
    else if (char === ',' && depth === 0) parts.push(text.slice(start, i)), (start = i + 1);
  }
  parts.push(text.slice(start));
  return parts;
}

function addPath(root: PickTree, path: string): void {
  const match = PATH.exec(path);
  if (!match) throw invalid(`Invalid fields entry ${JSON.stringify(path.slice(0, 100))}.`);
  const [keyPath] = path.split(':');
  const segments = keyPath!.split('.');
  let tree = root;
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '*') {
      tree.all = true;
      if (!last) throw invalid('"*" can only end a fields path.');
      return;
    }
    const node = tree.keys.get(segment) ?? {};
    tree.keys.set(segment, node);
    if (last && match[5] !== undefined)
      node.excerpt = { max: Number(match[5]), ellipsis: ['true', '1', 't'].includes(match[7] ?? 'false') };
    if (!last) tree = node.children ??= { all: false, keys: new Map() };
  });
}

/** Applies a parsed `fields` tree to a JSON value (arrays: to each item). */
export function pickFields(value: unknown, tree: PickTree | undefined): unknown {
  if (!tree) return value;
  if (Array.isArray(value)) return value.map((item) => pickFields(item, tree));
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    const node = tree.keys.get(key);
    if (!node && !tree.all) continue;
    out[key] = node ? applyNode(source[key], node) : source[key];
  }
  return out;
}

function applyNode(value: unknown, node: PickNode): unknown {
  if (node.children) return pickFields(value, node.children);
  if (node.excerpt && typeof value === 'string') return excerpt(value, node.excerpt.max, node.excerpt.ellipsis);
  return value;
}

/** Plain text of at most `max` characters: tags removed, white space folded. */
export function excerpt(html: string, max: number, ellipsis: boolean): string {
  const text = html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...text];
  if (chars.length <= max) return text;
  return chars.slice(0, max).join('').trimEnd() + (ellipsis ? '...' : '');
}

function invalid(message: string): AppError {
  return new AppError('FIELDS_INVALID', message, { fields: { code: 'validation_invalid_fields', message } });
}

export type { PickTree };
