import { CliError } from './cli-error.js';

/** The GraphQL endpoint's settings (docs/graphql.md#limits); every one has a default. */
export interface GraphqlConfig {
  readonly introspection: boolean;
  readonly maxQueryBytes: number;
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxFields: number;
  readonly maxCost: number;
  readonly maxOperations: number;
}

/** Config keys (file) and their `TANDEM_*` environment names. */
export const GRAPHQL_ENV_KEYS = {
  TANDEM_GRAPHQL_INTROSPECTION: 'graphqlIntrospection',
  TANDEM_GRAPHQL_MAX_QUERY_BYTES: 'graphqlMaxQueryBytes',
  TANDEM_GRAPHQL_MAX_DEPTH: 'graphqlMaxDepth',
  TANDEM_GRAPHQL_MAX_ALIASES: 'graphqlMaxAliases',
  TANDEM_GRAPHQL_MAX_FIELDS: 'graphqlMaxFields',
  TANDEM_GRAPHQL_MAX_COST: 'graphqlMaxCost',
  TANDEM_GRAPHQL_MAX_OPERATIONS: 'graphqlMaxOperations',
} as const;

/** A config key of the GraphQL settings. */
export type GraphqlConfigKey = (typeof GRAPHQL_ENV_KEYS)[keyof typeof GRAPHQL_ENV_KEYS];

const NUMBERS: ReadonlyArray<[GraphqlConfigKey, Exclude<keyof GraphqlConfig, 'introspection'>]> = [
  ['graphqlMaxQueryBytes', 'maxQueryBytes'],
  ['graphqlMaxDepth', 'maxDepth'],
  ['graphqlMaxAliases', 'maxAliases'],
  ['graphqlMaxFields', 'maxFields'],
  ['graphqlMaxCost', 'maxCost'],
  ['graphqlMaxOperations', 'maxOperations'],
];

/**
 * The GraphQL settings of a resolved layer: only what was given (the endpoint's defaults
 * fill the rest), each checked — a positive integer, or true/false for introspection.
 */
export function graphqlConfigOf(layer: Partial<Record<GraphqlConfigKey, unknown>>): Partial<GraphqlConfig> {
  const out: { -readonly [K in keyof GraphqlConfig]?: GraphqlConfig[K] } = {};
  const introspection = layer.graphqlIntrospection;
  if (introspection !== undefined) out.introspection = toBool(introspection);
  for (const [key, name] of NUMBERS) {
    const value = layer[key];
    if (value === undefined) continue;
    const number = Number(value);
    if (!Number.isSafeInteger(number) || number <= 0)
      throw new CliError(`${key} must be a positive integer, got ${JSON.stringify(value)}`, 2);
    out[name] = number;
  }
  return Object.freeze(out);
}

function toBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (['true', '1', 'yes', 'on'].includes(String(value))) return true;
  if (['false', '0', 'no', 'off'].includes(String(value))) return false;
  throw new CliError(`graphqlIntrospection must be true or false, got ${JSON.stringify(value)}`, 2);
}
