import type { Sql } from '../sql/sql.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isAppError } from '../errors/app-error.js';
import type { Store } from '../store/store.js';
import { sqliteDialect } from '../storage/sqlite/sqlite-dialect.js';
import { postgresDialect } from '../storage/postgres/postgres-dialect.js';
import { forEachStore } from '../testing/test-stores.fixture.js';
import { blogDataset } from './filter-blog-dataset.fixture.js';
import { datasetArb, filterArb, hostileArb, requestArb } from './filter-arbitraries.fixture.js';
import { parseFilter } from './filter-cache.js';
import { compileFilter } from './filter-compiler.js';
import type { FilterContext, FilterRecordSource, RequestInfo } from './filter-context.js';
import { createFilterPredicate } from './filter-evaluator.js';
import { isFilterNeedsDatabaseError } from './filter-needs-database.js';
import {
  blogSchema,
  datasetSource,
  evaluateContextFor,
  guestRequest,
  loadDataset,
  selectIds,
  type Dataset,
} from './filter-test.fixture.js';

const seed = Number(process.env.SEED ?? Date.now());
console.log(`filter property tests: SEED=${seed} (rerun with SEED=${seed})`);

const RUNS = Number(process.env.FILTER_PROPERTY_RUNS ?? 2000);
const { schema, posts } = blogSchema();
const NOW = new Date('2024-12-31T12:00:00.000Z');

type Outcome = { ids: string[] } | { error: string };

function contextFor(store: Store | undefined, request: RequestInfo, privileged = true): FilterContext {
  const dialect = store?.dialect ?? sqliteDialect;
  return {
    dialect,
    schema,
    collection: posts,
    tableAlias: 't',
    request,
    now: NOW,
    allowHidden: privileged,
    allowRequestMacros: privileged,
  };
}

function describeError(error: unknown): string {
  if (!isAppError(error)) throw error;
  return `${error.code}: ${error.message}`;
}

function evaluateInMemory(
  filter: string,
  request: RequestInfo,
  source: FilterRecordSource,
  dataset: Dataset,
  privileged = true,
): Outcome {
  try {
    const matches = createFilterPredicate(
      parseFilter(filter),
      evaluateContextFor(contextFor(undefined, request, privileged), source),
    );
    const ids = (dataset.posts ?? [])
      .map((row) => row.id as string)
      .filter((id) => matches(source.getRecord(posts.id, id)!));
    return { ids: ids.sort() };
  } catch (error) {
    return { error: describeError(error) };
  }
}

async function evaluateInSql(store: Store, filter: string, request: RequestInfo, privileged = true): Promise<Outcome> {
  let where: Sql;
  try {
    where = compileFilter(parseFilter(filter), contextFor(store, request, privileged));
  } catch (error) {
    return { error: describeError(error) };
  }
  return { ids: await selectIds(store, posts, where) };
}

describe('parseFilter and compileFilter on hostile input', () => {
  const source = datasetSource(schema, blogDataset);
  it('parse, compile and evaluate, or throw an AppError with status 400 or 403, never anything else', () => {
    fc.assert(
      fc.property(hostileArb, fc.boolean(), (text, privileged) => {
        try {
          const node = parseFilter(text);
          for (const dialect of [sqliteDialect, postgresDialect])
            compileFilter(node, { ...contextFor(undefined, guestRequest(), privileged), dialect });
          const predicate = createFilterPredicate(
            node,
            evaluateContextFor(contextFor(undefined, guestRequest(), privileged), source),
          );
          predicate(source.getRecord(posts.id, 'p1')!);
        } catch (error) {
          if (isFilterNeedsDatabaseError(error)) return;
          assert.ok(isAppError(error), `not an AppError: ${String(error)}`);
          assert.ok(error.status === 400 || error.status === 403, `status ${error.status}`);
        }
      }),
      { seed, numRuns: 3000 },
    );
  });
});

forEachStore((name, open) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  const [dataset] = fc.sample(datasetArb, { seed, numRuns: 1 }) as [Dataset];
  const source = datasetSource(schema, dataset);
  const allIds = (dataset.posts ?? []).map((row) => row.id as string).sort();

  before(async () => {
    ({ store, cleanup } = await open());
    await loadDataset(store, schema, dataset);
  });
  after(async () => cleanup());

  it(`selects exactly the records the in-memory evaluator selects, or fails the same way (${name})`, async () => {
    await fc.assert(
      fc.asyncProperty(filterArb, requestArb, async (filter, request) => {
        const expected = evaluateInMemory(filter, request, source, dataset);
        assert.deepEqual(await evaluateInSql(store, filter, request), expected);
      }),
      { seed, numRuns: RUNS },
    );
  });

  it(`agrees with the in-memory evaluator for client filters: no hidden fields, guarded emails (${name})`, async () => {
    await fc.assert(
      fc.asyncProperty(filterArb, requestArb, async (filter, request) => {
        const expected = evaluateInMemory(filter, request, source, dataset, false);
        assert.deepEqual(await evaluateInSql(store, filter, request, false), expected);
      }),
      { seed: seed + 3, numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it(`runs every hostile filter that compiles without a database error (${name})`, async () => {
    await fc.assert(
      fc.asyncProperty(hostileArb, requestArb, async (text, request) => {
        let where: Sql;
        try {
          where = compileFilter(parseFilter(text), contextFor(store, request));
        } catch (error) {
          assert.ok(isAppError(error), `not an AppError: ${String(error)}`);
          return;
        }
        await selectIds(store, posts, where);
      }),
      { seed: seed + 2, numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it(`never returns a row twice or a row outside the unfiltered set (${name})`, async () => {
    await fc.assert(
      fc.asyncProperty(filterArb, requestArb, async (filter, request) => {
        const outcome = await evaluateInSql(store, filter, request);
        if (!('ids' in outcome)) return;
        assert.equal(new Set(outcome.ids).size, outcome.ids.length, 'a row came back twice');
        for (const id of outcome.ids) assert.ok(allIds.includes(id), `unexpected row ${id}`);
      }),
      { seed: seed + 1, numRuns: RUNS },
    );
  });
});
