import { ActionDispatcher, CollectionService, RecordService, SettingsService } from '@tandem/core';
import { GraphqlEndpoint } from '@tandem/graphql';
import { CliError } from '../config/cli-error.js';
import { loadConfig } from '../config/config.js';
import { openStore } from '../compose/open-store.js';
import { dataFlags, dataFlagsHelp, dataLayer, parseFlags } from './common-flags.js';

/** Help text of `tandem graphql`. */
export const graphqlHelp = `Usage: tandem graphql schema [flags]

Prints the GraphQL schema (SDL) generated from the collections: the same schema
/api/graphql serves. Like serve, it creates the system collections when missing.

Flags:
${dataFlagsHelp}`;

/** `tandem graphql schema`. */
export async function graphqlCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseFlags('graphql', argv, dataFlags, true);
  if (values.help) return (out(graphqlHelp), 0);
  if (positionals[0] !== 'schema' || positionals.length > 1)
    throw new CliError('graphql needs the subcommand "schema" (see --help)', 2);
  const store = await openStore(loadConfig(dataLayer(values)));
  try {
    const collections = new CollectionService(store);
    await collections.load();
    await collections.ensureSystemCollections();
    const records = new RecordService(store, collections);
    const settings = new SettingsService(store);
    const actions = new ActionDispatcher({
      records,
      recordService: records,
      collections,
      settings,
      batchLimits: () => settings.get().batch,
    });
    const endpoint = new GraphqlEndpoint({ actions, collections });
    out(endpoint.sdl());
    endpoint.close();
    return 0;
  } finally {
    await store.close();
  }
}
