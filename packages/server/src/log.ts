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
 * instead of a syscall each.
 */
export function createJsonLogger(write: (chunk: string) => void, level: 'info' | 'warn' | 'error' | 'silent' = 'info'): Logger {
  let buffer = '';
  let scheduled = false;
  const threshold = { info: 0, warn: 1, error: 2, silent: 3 }[level];
  const flush = () => {
    scheduled = false;
    if (buffer === '') return;
    const out = buffer;
    buffer = '';
    write(out);
  };
  const log = (rank: number, name: string, message: string, fields?: Record<string, unknown>) => {
    if (rank < threshold) return;
    buffer += JSON.stringify({ time: new Date().toISOString(), level: name, msg: message, ...fields }) + '\n';
    if (buffer.length >= FLUSH_BYTES) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return {
    info: (message, fields) => log(0, 'info', message, fields),
    warn: (message, fields) => log(1, 'warn', message, fields),
    error: (message, fields) => log(2, 'error', message, fields),
    flush,
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {}, flush() {} };
