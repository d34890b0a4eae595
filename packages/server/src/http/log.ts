/** A structured logger: one JSON object per line. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Writes out anything buffered. */
  flush(): void;
}

const FLUSH_BYTES = 64 * 1024;

/**
 * A JSON-lines logger that buffers lines and writes them once per event-loop turn (or
 * every 64 KiB), so that logging every request costs one write for many requests
 * instead of a syscall each. Lines are `{"time","level","msg",...fields}`. `write` must
 * not throw (a LogOutput never does): it runs outside any request, where a throw would
 * end the process.
 */
export function createJsonLogger(write: (chunk: string) => void, level: 'info' | 'warn' | 'error' | 'silent' = 'info'): Logger {
  let buffer = '';
  let scheduled = false;
  const threshold = { info: 0, warn: 1, error: 2, silent: 3 }[level];
  const clock = createIsoClock();
  const flush = () => {
    scheduled = false;
    if (buffer === '') return;
    const out = buffer;
    buffer = '';
    write(out);
  };
  const log = (rank: number, head: string, message: string, fields?: Record<string, unknown>) => {
    if (rank < threshold) return;
    buffer += `{"time":"${clock()}"${head}${jsonString(message)}${fields ? jsonFields(fields) : ''}}\n`;
    if (buffer.length >= FLUSH_BYTES) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return {
    info: (message, fields) => log(0, ',"level":"info","msg":', message, fields),
    warn: (message, fields) => log(1, ',"level":"warn","msg":', message, fields),
    error: (message, fields) => log(2, ',"level":"error","msg":', message, fields),
    flush,
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {}, flush() {} };

/**
 * `new Date().toISOString()`, formatted at most once per millisecond: under load many
 * log lines share a millisecond, and formatting a Date is a large part of a line's cost.
 */
function createIsoClock(): () => string {
  let lastMs = -1;
  let lastText = '';
  return () => {
    const ms = Date.now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastText = new Date(ms).toISOString();
    }
    return lastText;
  };
}

/**
 * `,"key":value` for each field whose value JSON can show (as the spread into an object
 * + JSON.stringify did), without building an object: strings and finite numbers, the
 * whole line for a request, are written directly.
 */
function jsonFields(fields: Record<string, unknown>): string {
  let out = '';
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    const text = jsonValue(fields[key]);
    if (text !== undefined) out += `,${jsonString(key)}:${text}`;
  }
  return out;
}

function jsonValue(value: unknown): string | undefined {
  if (typeof value === 'string') return jsonString(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return JSON.stringify(value);
}

/** Characters JSON must escape (quote, backslash, controls) and lone surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function jsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}
