import { parseArgs } from 'node:util';
import { CliError } from '../config/cli-error.js';
import type { ConfigLayer } from '../config/config.js';

type OptionSpec = { type: 'string' | 'boolean'; short?: string };

/** Flags every command that touches data accepts. */
export const dataFlags: Record<string, OptionSpec> = {
  dir: { type: 'string' },
  db: { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** The help lines for the data flags. */
export const dataFlagsHelp = `  --dir DIR        data directory (default ./tandem_data; env TANDEM_DIR)
  --db URL         SQLite file path or postgres://… URL (default <dir>/data.db; env TANDEM_DB)
  --config FILE    JSON config file (default <dir>/tandem.json when present; env TANDEM_CONFIG)
  -h, --help       show this help`;

/** Parses a command's flags strictly: an unknown flag is a usage error (exit 2). */
export function parseFlags(argv: string[], options: Record<string, OptionSpec>, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (error) {
    throw new CliError(`${(error as Error).message.split('\n')[0]} (see --help)`, 2);
  }
}

/** The config layer made of the data flags that were given. */
export function dataLayer(values: Record<string, unknown>): ConfigLayer {
  const layer: ConfigLayer = {};
  for (const key of ['dir', 'db', 'config'] as const) if (values[key] !== undefined) layer[key] = values[key];
  return layer;
}
