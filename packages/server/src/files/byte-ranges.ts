import { AppError, type ByteRange } from '@tandem/core';

/**
 * The one range of a `Range` header over a file of `size` bytes: `bytes=a-b`, `bytes=a-`
 * or `bytes=-n`. Undefined when there is no header; 416 RANGE_NOT_SATISFIABLE when it is
 * malformed, lists several ranges, or lies outside the file.
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) throw unsatisfiable(size);
  const [first, last] = [match[1]!, match[2]!];
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw unsatisfiable(size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) throw unsatisfiable(size);
  return { start, end };
}

function unsatisfiable(size: number): AppError {
  return new AppError('RANGE_NOT_SATISFIABLE', undefined, { size });
}
