import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from '../config/cli-error.js';
import type { ConfigLayer } from '../config/config.js';

/** The flags of one command, in `node:util` `parseArgs`'s own format. */
export type FlagSpecs = NonNullable<ParseArgsConfig['options']>;

/** What `parseFlags` returns for a command's flags: typed values and the positionals. */
export type ParsedFlags<T extends FlagSpecs> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: boolean }>
>;

/** Flags every command that touches data accepts. */
export const dataFlags = {
  dir: { type: 'string' },
  db: { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagSpecs;

/** The help lines for the data flags. */
export const dataFlagsHelp = `  --dir DIR        data directory (default ./tandem_data; env TANDEM_DIR)
  --db URL         SQLite file path or postgres://… URL (default <dir>/data.db; env TANDEM_DB)
  --config FILE    JSON config file (default <dir>/tandem.json when present; env TANDEM_CONFIG)
  -h, --help       show this help`;

/**
 * Parses a command's flags with `parseArgs`, strictly: an unknown flag, a missing value
 * or an unexpected argument is a usage error (exit 2) that names the argument.
 * @example const { values } = parseFlags('typegen', argv, { ...dataFlags, out: { type: 'string' } })
 */
export function parseFlags<T extends FlagSpecs>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = false,
): ParsedFlags<T> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (error) {
    if (!isParseArgsError(error)) throw error;
    const problem = describeProblem(argv, options, allowPositionals) ?? error.message.split('\n')[0];
    throw new CliError(`${problem} (see tandem ${command} --help)`, 2);
  }
}

/** The config layer made of the data flags that were given. */
export function dataLayer(values: { dir?: string; db?: string; config?: string }): ConfigLayer {
  const layer: ConfigLayer = {};
  for (const key of ['dir', 'db', 'config'] as const) if (values[key] !== undefined) layer[key] = values[key];
  return layer;
}

/**
 * The first argument strict parsing refused, in Tandem's words: the same on every Node
 * version, and naming the flag even where Node's message spans several lines. The
 * arguments are read again leniently, as tokens, to find it.
 */
function describeProblem(argv: string[], options: FlagSpecs, allowPositionals: boolean): string | undefined {
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional' && !allowPositionals) return `unexpected argument ${JSON.stringify(token.value)}`;
    if (token.kind !== 'option') continue;
    const spec = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!spec) return `unknown flag ${token.rawName}`;
    if (spec.type === 'boolean' && token.value !== undefined) return `${token.rawName} takes no value`;
    if (spec.type === 'string' && token.value === undefined) return `${token.rawName} needs a value`;
    // NB: strict parseArgs refuses `--db --dir x` rather than take "--dir" as the path; `--db=--dir` is accepted.
    if (spec.type === 'string' && !token.inlineValue && token.value?.startsWith('-'))
      return `${token.rawName} needs a value, got the flag ${token.value}`;
  }
  return undefined;
}

function isParseArgsError(error: unknown): error is Error & { code: string } {
  return error instanceof Error && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_');
}
