// Text formatting for the reports: numbers with thousands separators, Markdown tables.
import { createReadStream } from 'node:fs';

/** A number with `digits` decimals and thousands separators; '-' when there is none. */
export function fmt(value, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A Markdown table; `alignRight[i]` right-aligns column i. */
export function table(headers, rows, alignRight = []) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    '| ' +
    cells.map((c, i) => (alignRight[i] ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join(' | ') +
    ' |';
  const rule =
    '|' + widths.map((w, i) => (alignRight[i] ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|';
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** Lines in a file (newline characters), read as a stream. */
export async function countLines(file) {
  let lines = 0;
  for await (const chunk of createReadStream(file)) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return lines;
}
