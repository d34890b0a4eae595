import { jsonNumber, jsonString } from '@tandem/core';
import pino from 'pino';
import type { LogOutput } from './log-output.js';

/** A structured logger: one JSON object per line. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /**
   * Logs one answered request at info level: the line `info('request', {reqId, method,
   * url, status, ms})` writes, made without a fields object (one per request).
   */
  request(reqId: string, method: string, url: string, status: number, ms: number): void;
  /** Resolves once every line logged so far has left for its output (or was dropped). */
  flush(): Promise<void>;
}

/** The levels a logger can be set to; `silent` writes nothing. */
export type LogLevel = 'info' | 'warn' | 'error' | 'silent';

/**
 * A JSON-lines logger over pino: `{"level","time",...fields,"msg"}` per line, `level` a
 * name and `time` an ISO date, `fields` written as JSON.stringify would write them. Each
 * line goes to `output` whole, in one call; a LogOutput queues it and writes many lines
 * at once off the event loop. `output` must not throw (a LogOutput never does): it runs
 * outside any request, where a throw would end the process.
 *
 * @example
 * const logger = createJsonLogger(createLogOutput(process.stdout.fd));
 * logger.info('request', { reqId: 'abc-1', status: 200 });
 */
export function createJsonLogger(output: LogOutput | ((line: string) => void), level: LogLevel = 'info'): Logger {
  const destination = typeof output === 'function' ? { write: output } : output;
  const clock = createIsoClock();
  const log = pino(
    {
      level,
      base: null,
      timestamp: () => `,"time":"${clock()}"`,
      formatters: { level: (label) => ({ level: label }) },
      // Fields are written as given: Tandem describes errors itself (`err: {name, message, stack}`).
      serializers: { err: (value: unknown) => value },
      hooks: { streamWrite: escapeLoneSurrogates },
    },
    destination,
  );
  const writeLine = typeof output === 'function' ? output : (line: string) => output.write(line);
  return {
    request:
      level === 'info'
        ? (reqId, method, url, status, ms) => writeLine(requestLine(clock(), reqId, method, url, status, ms))
        : () => {},
    info: (message, fields) => (fields ? log.info(fields, message) : log.info(message)),
    warn: (message, fields) => (fields ? log.warn(fields, message) : log.warn(message)),
    error: (message, fields) => (fields ? log.error(fields, message) : log.error(message)),
    flush: () => ('flush' in destination ? destination.flush() : Promise.resolve()),
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = {
  request() {},
  info() {},
  warn() {},
  error() {},
  flush: () => Promise.resolve(),
};

/**
 * The request's line, as pino writes `info('request', {…})` (same keys, order and
 * escapes; log.test.ts compares the two). NB: one template instead of pino's walk over a
 * fields object: a line per request is the logger's hot path, and the generic walk cost
 * it several times the line's own making.
 */
function requestLine(time: string, reqId: string, method: string, url: string, status: number, ms: number): string {
  return `{"level":"info","time":"${time}","reqId":${jsonString(reqId)},"method":${jsonString(method)},"url":${jsonString(url)},"status":${jsonNumber(status)},"ms":${jsonNumber(ms)},"msg":"request"}\n`;
}

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

/** An unpaired UTF-16 surrogate: a high one not followed by a low one, or a low one alone. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Writes a lone surrogate as the `\udXXX` escape JSON.stringify gives it. NB: pino copies
 * short strings unescaped, and UTF-8 cannot encode a lone surrogate (it would become
 * U+FFFD on the way out). Inside a JSON line one can only be part of a string, where the
 * escape is valid. Checking costs nothing for the usual one-byte (Latin-1) line.
 */
function escapeLoneSurrogates(line: string): string {
  if ((line as WellFormedString).isWellFormed()) return line;
  return line.replace(LONE_SURROGATE, (unit) => `\\u${unit.charCodeAt(0).toString(16)}`);
}

/** `String.prototype.isWellFormed` (Node 20; ES2024, newer than the lib Tandem compiles against). */
type WellFormedString = string & { isWellFormed(): boolean };
