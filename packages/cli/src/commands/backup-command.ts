import { existsSync } from 'node:fs';
import { defaultBackupLimits, isAppError, stageRestore } from '@tandem/core';
import { CliError } from '../config/cli-error.js';
import { loadConfig, type TandemConfig } from '../config/config.js';
import { composeCore } from '../compose/compose-core.js';
import { dataLayoutOf } from '../compose/backups.js';
import { sqliteSnapshot } from '../compose/sqlite-snapshot.js';
import { dataFlags, dataFlagsHelp, dataLayer, parseFlags } from './common-flags.js';

/** Help text of `tandem backup`. */
export const backupHelp = `Usage:
  tandem backup create [NAME] [flags]
  tandem backup restore NAME|FILE.zip [flags]

create   writes a backup of the database and the stored files (NAME: a-z, 0-9, _ and -,
         ending in .zip; generated when absent) where the settings keep backups
         (<dir>/backups, or S3 with backups.s3). Safe while the server runs.
restore  checks a stored backup (NAME) or a zip file on disk (FILE.zip) and stages it:
         the next start of "tandem serve" swaps it in (a running server keeps its data
         until it restarts). SQLite only; see docs/backups.md.

Flags:
${dataFlagsHelp}`;

/** `tandem backup create|restore`. */
export async function backupCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseFlags('backup', argv, dataFlags, true);
  if (values.help || positionals.length === 0) return (out(backupHelp), values.help ? 0 : 2);
  const [action, target, ...rest] = positionals;
  if (rest.length > 0 || (action === 'restore' && !target) || (action !== 'create' && action !== 'restore'))
    throw new CliError(`wrong arguments for backup (see --help)`, 2);
  const config = loadConfig(dataLayer(values));
  try {
    if (action === 'restore' && target!.endsWith('.zip') && existsSync(target!))
      return await restoreFile(config, target!, out);
    return await withBackups(config, action, target ?? '', out);
  } catch (error) {
    if (isAppError(error)) throw new CliError(`${error.message} ${JSON.stringify(error.data ?? {})}`);
    throw error;
  }
}

/** Stages a zip from disk without opening the database. */
async function restoreFile(config: TandemConfig, file: string, out: (line: string) => void): Promise<number> {
  const layout = dataLayoutOf(config);
  if (!layout)
    throw new CliError('restore is for SQLite data; restore PostgreSQL with its own tools (docs/backups.md)');
  await stageRestore(layout, file, defaultBackupLimits, sqliteSnapshot(layout.database).check);
  out(`backup ${file} checked and staged; "tandem serve" swaps it in at its next start`);
  return 0;
}

async function withBackups(
  config: TandemConfig,
  action: 'create' | 'restore',
  name: string,
  out: (line: string) => void,
): Promise<number> {
  const core = await composeCore(config);
  try {
    if (action === 'create') out(`backup ${await core.backups!.create(name)} created`);
    else {
      await core.backups!.restore(name);
      out(`backup ${name} checked and staged; "tandem serve" swaps it in at its next start`);
    }
    return 0;
  } finally {
    core.stop();
    await core.store.close();
  }
}
