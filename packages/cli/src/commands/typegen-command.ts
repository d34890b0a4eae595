import { writeFile } from 'node:fs/promises';
import { CollectionService } from '@tandem/core';
import { CliError } from '../config/cli-error.js';
import { loadConfig } from '../config/config.js';
import { openStore } from '../compose/open-store.js';
import { renderCollectionTypes } from '../typegen/render-collection-types.js';
import { dataFlags, dataFlagsHelp, dataLayer, parseFlags } from './common-flags.js';

/** Help text of `tandem typegen`. */
export const typegenHelp = `Usage: tandem typegen --out FILE [flags]

Writes TypeScript types for every collection: a <Name>Record interface each and a
Collections map for the SDK:  createClient<Collections>(url).collection('posts')
Like serve, it creates the system collections (users, _superusers) when missing.

Flags:
  --out FILE       the .ts file to write
  --hooks          add AppHooks, the server hooks API typed with these collections
                   (e.g. --out <dir>/hooks/tandem-types.d.ts; see docs/hooks.md)
${dataFlagsHelp}`;

/** `tandem typegen --out FILE`. */
export async function typegenCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseFlags('typegen', argv, {
    ...dataFlags,
    out: { type: 'string' },
    hooks: { type: 'boolean' },
  });
  if (values.help) return (out(typegenHelp), 0);
  const file = values.out;
  if (!file) throw new CliError('typegen needs --out FILE (see --help)', 2);
  const store = await openStore(loadConfig(dataLayer(values)));
  try {
    const collections = new CollectionService(store);
    await collections.load();
    await collections.ensureSystemCollections();
    await writeFile(file, renderCollectionTypes(collections.all(), { hooks: values.hooks }));
    out(`wrote types for ${collections.all().length} collections to ${file}`);
    return 0;
  } finally {
    await store.close();
  }
}
