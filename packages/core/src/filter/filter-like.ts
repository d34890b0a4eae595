import { filterError } from './filter-error.js';
import { codePoints, foldAscii } from '../text/code-points.js';

/** One element of a LIKE pattern: a literal character, `%` (any run) or `_` (one character). */
export type LikeToken =
  | { readonly type: 'char'; readonly ch: string }
  | { readonly type: 'any' }
  | { readonly type: 'one' };

/** A LIKE pattern in canonical form: ASCII-folded, with its wildcards resolved. */
export interface LikePattern {
  readonly tokens: readonly LikeToken[];
}

/** Longest accepted pattern, in code points; SQLite rejects patterns over 50,000 bytes. */
export const MAX_LIKE_PATTERN = 10_000;

const ANY: LikeToken = { type: 'any' };
const ONE: LikeToken = { type: 'one' };

/**
 * The pattern of `x ~ "text"` (PocketBase's rules). Without an unescaped `%` the text is
 * a literal substring: it is wrapped in `%…%` and `_` stands for itself. With one, the
 * text is a LIKE pattern: `%` and `_` are wildcards. In both, `\` escapes the next
 * character (`\%`, `\_`, `\\`); a `\` before any other character, or at the end, in the
 * substring form, stands for itself.
 */
export function likePatternOf(text: string): LikePattern {
  const points = codePoints(foldAscii(text));
  if (points.length > MAX_LIKE_PATTERN) throw filterError(`a ~ pattern is longer than ${MAX_LIKE_PATTERN} characters`);
  return { tokens: hasUnescapedPercent(points) ? wildcardTokens(points) : [ANY, ...substringTokens(points), ANY] };
}

/** The pattern that matches texts containing `text` (a field's value used as a pattern). */
export function containsPatternOf(text: string): LikePattern {
  return { tokens: [ANY, ...codePoints(foldAscii(text)).map(charToken), ANY] };
}

function hasUnescapedPercent(points: readonly string[]): boolean {
  let previous = '';
  for (const ch of points) {
    if (ch === '%' && previous !== '\\') return true;
    previous = ch === '\\' && previous === '\\' ? '' : ch;
  }
  return false;
}

function substringTokens(points: readonly string[]): LikeToken[] {
  const tokens: LikeToken[] = [];
  for (let i = 0; i < points.length; i += 1) {
    const next = points[i + 1];
    if (points[i] === '\\' && (next === '\\' || next === '%' || next === '_')) {
      tokens.push(charToken(next));
      i += 1;
    } else {
      tokens.push(charToken(points[i]!));
    }
  }
  return tokens;
}

function wildcardTokens(points: readonly string[]): LikeToken[] {
  const tokens: LikeToken[] = [];
  for (let i = 0; i < points.length; i += 1) {
    const ch = points[i]!;
    if (ch === '%') tokens.push(ANY);
    else if (ch === '_') tokens.push(ONE);
    else if (ch === '\\' && i + 1 < points.length) tokens.push(charToken(points[++i]!));
    else tokens.push(charToken(ch));
  }
  return tokens;
}

function charToken(ch: string): LikeToken {
  return { type: 'char', ch };
}

/** The pattern as SQL LIKE text for `ESCAPE '\'`: only `%`, `_` and `\` are escaped. */
export function renderLikePattern(pattern: LikePattern): string {
  let text = '';
  for (const token of pattern.tokens) {
    if (token.type === 'any') text += '%';
    else if (token.type === 'one') text += '_';
    else text += token.ch === '%' || token.ch === '_' || token.ch === '\\' ? `\\${token.ch}` : token.ch;
  }
  return text;
}

/** True when the text matches, folding ASCII letters only and counting code points. */
export function matchLike(pattern: LikePattern, text: string): boolean {
  const subject = codePoints(foldAscii(text));
  const tokens = pattern.tokens;
  let s = 0;
  let p = 0;
  let star = -1;
  let mark = 0;
  while (s < subject.length) {
    const token = tokens[p];
    if (token && (token.type === 'one' || (token.type === 'char' && token.ch === subject[s]))) {
      s += 1;
      p += 1;
    } else if (token?.type === 'any') {
      star = p++;
      mark = s;
    } else if (star >= 0) {
      p = star + 1;
      s = ++mark;
    } else {
      return false;
    }
  }
  while (tokens[p]?.type === 'any') p += 1;
  return p === tokens.length;
}
