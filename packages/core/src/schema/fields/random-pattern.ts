import { randomFillSync, randomInt } from 'node:crypto';

/** One run of the pattern: `count` characters drawn from `alphabet`. */
interface Segment {
  readonly alphabet: string;
  readonly count: number;
}

const parsedPatterns = new Map<string, readonly Segment[]>();
const MAX_CACHED_PATTERNS = 256;

/**
 * Generates a string for an autogenerate pattern made of literal characters and
 * character classes with an optional `{n}` count, such as `[a-z0-9]{15}`: the shape
 * PocketBase uses for ids. Characters come from a CSPRNG, uniformly.
 */
export function generateFromPattern(pattern: string): string {
  let out = '';
  for (const { alphabet, count } of segmentsOf(pattern)) out += randomChars(alphabet, count);
  return out;
}

/** The parsed pattern, cached: ids are generated on every create. */
function segmentsOf(pattern: string): readonly Segment[] {
  let segments = parsedPatterns.get(pattern);
  if (!segments) {
    segments = parsePattern(pattern);
    if (parsedPatterns.size >= MAX_CACHED_PATTERNS) parsedPatterns.clear();
    parsedPatterns.set(pattern, segments);
  }
  return segments;
}

function parsePattern(pattern: string): Segment[] {
  const segments: Segment[] = [];
  let i = 0;
  while (i < pattern.length) {
    let alphabet: string;
    if (pattern[i] === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) throw new Error(`unsupported autogenerate pattern: ${pattern}`);
      alphabet = expandClass(pattern.slice(i + 1, end));
      i = end + 1;
    } else {
      alphabet = pattern[i] === '\\' ? (pattern[++i] ?? '') : pattern[i]!;
      i++;
    }
    const count = readCount(pattern, i);
    i = count.next;
    segments.push({ alphabet, count: count.value });
  }
  return segments;
}

/**
 * `count` characters of `alphabet`, uniformly: each random byte is used as `byte % n`
 * only below the largest multiple of n (rejection sampling, so no character is
 * favoured).
 */
function randomChars(alphabet: string, count: number): string {
  const n = alphabet.length;
  if (n === 1) return alphabet.repeat(count);
  if (n > 256) return Array.from({ length: count }, () => alphabet[randomInt(n)]).join('');
  const limit = 256 - (256 % n);
  let out = '';
  while (out.length < count) {
    const byte = nextRandomByte();
    if (byte < limit) out += alphabet[byte % n];
  }
  return out;
}

/**
 * Random bytes from a pool refilled 4 KiB at a time: one CSPRNG call per ~250 ids
 * instead of one per id (a call costs more than the bytes), as crypto.randomInt does.
 */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function nextRandomByte(): number {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  return pool[poolAt++]!;
}

function expandClass(body: string): string {
  let chars = '';
  for (let i = 0; i < body.length; i++) {
    const from = body[i]!;
    if (body[i + 1] === '-' && i + 2 < body.length) {
      const to = body[i + 2]!;
      for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) chars += String.fromCharCode(c);
      i += 2;
    } else chars += from;
  }
  if (!chars) throw new Error('empty character class');
  return chars;
}

function readCount(pattern: string, at: number): { value: number; next: number } {
  if (pattern[at] !== '{') return { value: 1, next: at };
  const end = pattern.indexOf('}', at);
  const value = Number(pattern.slice(at + 1, end));
  if (end < 0 || !Number.isInteger(value) || value < 0 || value > 1000)
    throw new Error(`unsupported count in pattern: ${pattern}`);
  return { value, next: end + 1 };
}
