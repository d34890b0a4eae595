import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from './cli-error.js';
import { loadConfig } from './config.js';

describe('loadConfig: GraphQL', () => {
  it('leaves every GraphQL setting to the endpoint when none is given', () => {
    assert.deepEqual(loadConfig({ dir: '/tmp/tandem-x' }, {}).graphql, {});
  });

  it('reads the limits and introspection from the environment', () => {
    const config = loadConfig(
      { dir: '/tmp/tandem-x' },
      { TANDEM_GRAPHQL_INTROSPECTION: 'off', TANDEM_GRAPHQL_MAX_DEPTH: '6', TANDEM_GRAPHQL_MAX_COST: '900' },
    );
    assert.deepEqual(config.graphql, { introspection: false, maxDepth: 6, maxCost: 900 });
  });

  it('refuses a limit that is not a positive integer', () => {
    assert.throws(() => loadConfig({ dir: '/tmp/tandem-x' }, { TANDEM_GRAPHQL_MAX_DEPTH: '0' }), CliError);
    assert.throws(() => loadConfig({ dir: '/tmp/tandem-x' }, { TANDEM_GRAPHQL_INTROSPECTION: 'maybe' }), CliError);
  });
});
