import { isAppError } from '@tandem/core';
import { CliError } from '../config/cli-error.js';
import { loadConfig } from '../config/config.js';
import { composeCore } from '../compose/compose-core.js';
import { dataFlags, dataFlagsHelp, dataLayer, parseFlags } from './common-flags.js';

/** Help text of `tandem superuser`. */
export const superuserHelp = `Usage:
  tandem superuser upsert EMAIL PASSWORD [flags]
  tandem superuser delete EMAIL [flags]

Creates a superuser, or sets a new password for an existing one (which signs it out
everywhere); or deletes one.

Flags:
${dataFlagsHelp}`;

/** `tandem superuser upsert|delete`. */
export async function superuserCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseFlags('superuser', argv, dataFlags, true);
  if (values.help || positionals.length === 0) return (out(superuserHelp), values.help ? 0 : 2);
  const [action, email, password, ...rest] = positionals;
  if (action !== 'upsert' && action !== 'delete')
    throw new CliError(`unknown superuser action ${JSON.stringify(action)} (see --help)`, 2);
  if (!email || (action === 'upsert' && !password) || rest.length > 0 || (action === 'delete' && password))
    throw new CliError(`wrong arguments for superuser ${action} (see --help)`, 2);
  const core = await composeCore(loadConfig(dataLayer(values)));
  try {
    if (action === 'upsert') out(`superuser ${email} ${await core.auth.upsertSuperuser(email, password!)}`);
    else if (await core.auth.deleteSuperuser(email)) out(`superuser ${email} deleted`);
    else throw new CliError(`no superuser with email ${email}`);
    return 0;
  } catch (error) {
    if (isAppError(error)) throw new CliError(`${error.message} ${JSON.stringify(error.data)}`);
    throw error;
  } finally {
    await core.store.close();
  }
}
