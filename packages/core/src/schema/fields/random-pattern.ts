import { randomInt } from 'node:crypto';

/**
 * Generates a string for an autogenerate pattern made of literal characters and
 * character classes with an optional `{n}` count, such as `[a-z0-9]{15}`: the shape
 * PocketBase uses for ids. Characters come from a CSPRNG.
 */
export function generateFromPattern(pattern: string): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    let alphabet: string;
    if (pattern[i] === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) throw new Error(`unsupported autogenerate pattern: ${pattern}`);
      alphabet = expandClass(pattern.slice(i + 1, end));
      i = end + 1;
    } else {
      alphabet = pattern[i] === '\\' ? pattern[++i] ?? '' : pattern[i]!;
      i++;
    }
    const count = readCount(pattern, i);
    i = count.next;
    for (let n = 0; n < count.value; n++) out += alphabet[randomInt(alphabet.length)];
  }
  return out;
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
  if (end < 0 || !Number.isInteger(value) || value < 0 || value > 1000) throw new Error(`unsupported count in pattern: ${pattern}`);
  return { value, next: end + 1 };
}
