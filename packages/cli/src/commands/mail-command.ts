import { CliError } from '../config/cli-error.js';
import { loadConfig } from '../config/config.js';
import { composeCore } from '../compose/compose-core.js';
import { dataFlags, dataFlagsHelp, dataLayer, parseFlags } from './common-flags.js';

/** Help text of `tandem mail`. */
export const mailHelp = `Usage:
  tandem mail list [--to ADDRESS] [--limit N] [flags]

Lists the messages kept in the dev outbox (mail is kept there when no --smtp is set),
newest first, as JSON lines.

Flags:
  --to ADDRESS     only messages to this address
  --limit N        at most N messages (default 20)
${dataFlagsHelp}`;

/** `tandem mail list`. */
export async function mailCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseFlags(
    'mail',
    argv,
    { ...dataFlags, to: { type: 'string' }, limit: { type: 'string' } },
    true,
  );
  if (values.help || positionals.length === 0) return (out(mailHelp), values.help ? 0 : 2);
  if (positionals[0] !== 'list' || positionals.length > 1)
    throw new CliError(`unknown mail action ${JSON.stringify(positionals[0])} (see --help)`, 2);
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isSafeInteger(limit) || limit <= 0) throw new CliError('--limit must be a positive integer', 2);
  const core = await composeCore(loadConfig(dataLayer(values)));
  try {
    const messages = await core.outbox.list({ to: values.to, limit });
    for (const message of messages) out(JSON.stringify(message));
    return 0;
  } finally {
    await core.store.close();
  }
}
