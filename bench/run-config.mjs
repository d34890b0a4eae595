// `npm run bench`'s settings (BENCH_* environment variables, checked once) and workloads.
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { envList, envNumber } from './bench-common.mjs';

const WORKLOAD_NAMES = ['get', 'list', 'create', 'cached', 'pg-get', 'pg-create', 'h2'];

/**
 * BENCH_BASELINE: another built checkout of Tandem (e.g. `git worktree add /tmp/base <commit>
 * && cd /tmp/base && npm ci && npm run build`), run beside this one as `tandem-base` for a
 * before/after comparison in the same rounds; undefined when not set.
 */
function baselineOf(path) {
  if (!path) return undefined;
  const dir = resolve(path);
  if (!existsSync(join(dir, 'packages/cli/dist/main.js')))
    throw new Error(
      `BENCH_BASELINE=${path}: no built Tandem there (packages/cli/dist/main.js); run npm ci && npm run build in it`,
    );
  return dir;
}

/** The settings, or exit 2 with the reason when one is invalid. */
export function readConfig() {
  try {
    return Object.freeze(readConfigOrThrow());
  } catch (error) {
    console.error(`bench: ${error.message}`);
    process.exit(2);
  }
}

function readConfigOrThrow() {
  const baseline = baselineOf(process.env.BENCH_BASELINE);
  return {
    baseline,
    // A baseline from before the gRPC listener knows no `--no-grpc`.
    baselineHasGrpc: Boolean(baseline && existsSync(join(baseline, 'packages/grpc'))),
    duration: envNumber('BENCH_DURATION', 5, { min: 1 }),
    warmup: envNumber('BENCH_WARMUP', 2, { min: 0 }),
    rounds: envNumber('BENCH_ROUNDS', 5, { min: 1, integer: true }),
    connections: envNumber('BENCH_CONNECTIONS', 50, { min: 1, integer: true }),
    pipelining: envNumber('BENCH_PIPELINING', 1, { min: 1, integer: true }),
    rows: envNumber('BENCH_ROWS', 100_000, { min: 100, integer: true }),
    seed: envNumber('BENCH_SEED', 42, { integer: true }),
    hotIds: envNumber('BENCH_HOT_IDS', 100, { min: 1, integer: true }),
    categories: 100,
    perPage: 20,
    workloads: envList('BENCH_WORKLOADS', WORKLOAD_NAMES, WORKLOAD_NAMES),
    h2Requests: envNumber('BENCH_H2_REQUESTS', 20_000, { min: 100, integer: true }),
    h2Clients: envNumber('BENCH_H2_CLIENTS', 10, { min: 1, integer: true }),
    h2Streams: envNumber('BENCH_H2_STREAMS', 10, { min: 1, integer: true }),
    h2Timeout: envNumber('BENCH_H2_TIMEOUT', 120, { min: 1 }),
    h2Reference: envList('BENCH_H2_REFERENCE', ['prebuilt'], ['prebuilt', 'db'])[0],
    servers: [
      ...envList(
        'BENCH_SERVERS',
        ['reference', 'tandem'],
        ['reference', 'tandem', 'tandem-nolog', 'tandem-lines', 'tandem-nostore'],
      ),
      ...(baseline ? ['tandem-base'] : []),
    ],
    tandemArgs: (process.env.BENCH_TANDEM_ARGS ?? '').split(/\s+/).filter(Boolean),
    tandemCache: envList('BENCH_TANDEM_CACHE', ['off'], ['off', 'on'])[0],
    cpuProf: envList(
      'BENCH_CPU_PROF',
      [],
      ['tandem', 'tandem-nolog', 'tandem-lines', 'tandem-nostore', 'tandem-base', 'reference', 'both'],
    ).flatMap((s) => (s === 'both' ? ['tandem', 'reference'] : [s])),
    keep: ['1', 'true', 'yes'].includes(process.env.BENCH_KEEP ?? ''),
    tmpBase: process.env.BENCH_TMP || os.tmpdir(),
    pgUrl: process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test',
  };
}

/**
 * The goals (reported, never asserted): Tandem's req/s as a fraction of the reference's
 * in the same round. The cached GET is measured against the reference's prebuilt-JSON
 * route, the floor for any cached read.
 */
export const GOALS = [
  { workload: 'get', ratio: 0.85, label: 'GET by id' },
  { workload: 'create', ratio: 0.8, label: 'create' },
  { workload: 'cached', ratio: 0.9, label: 'cached GET (vs prebuilt JSON)' },
  { workload: 'pg-get', ratio: 0.85, label: 'PostgreSQL GET by id' },
  { workload: 'pg-create', ratio: 0.8, label: 'PostgreSQL create' },
];

/**
 * The request log's goal: Tandem with its log on serves at least this fraction of the
 * requests of a Tandem started with `--no-request-log`, in the same round. Judged where
 * `BENCH_SERVERS` includes `tandem-nolog`.
 */
export const LOG_GOAL = { ratio: 0.9, label: 'request log on (vs --no-request-log)' };

/** The database a workload runs on. */
export const backendOf = (workload) => (workload.startsWith('pg-') ? 'postgres' : 'sqlite');

/**
 * Whether Tandem's response cache is on for a workload. GET by id and the list (and the
 * creates, on SQLite and PostgreSQL) measure Tandem's own read and write paths, so its
 * collection has `"cache": false` there: with the cache on,
 * each round would find it fuller than the last (a uniform draw over 100,000 ids takes
 * minutes to fill it), and the figure would drift from round to round with the hit rate.
 * The cached workloads measure the cache, on a hot set it holds after the warm-up.
 * BENCH_TANDEM_CACHE=on keeps the cache on everywhere, as Tandem ships.
 */
export function tandemCacheFor(workload, config) {
  return config.tandemCache === 'on' || workload === 'cached' || workload === 'h2';
}

/** Each workload's title and a one-line description of its requests. */
export function workloadInfo(config) {
  const h2Route =
    config.h2Reference === 'prebuilt'
      ? '/api/prebuilt/items/records/:id, a prebuilt JSON string per id'
      : '/api/collections/items/records/:id, a database read per request';
  return {
    get: {
      title: 'GET record by random id',
      description: `GET /api/collections/items/records/:id (id uniform over the ${config.rows} seeded rows)`,
    },
    list: {
      title: 'list, filter category, perPage=20',
      description: `GET /api/collections/items/records?filter=(category = 'cN')&perPage=20 (N uniform in 0..${config.categories - 1}: ${config.rows / config.categories} matches, indexed; page 1 + COUNT)`,
    },
    cached: {
      title: 'cached GET by id (hot set)',
      description: `GET /api/collections/items/records/:id over ${config.hotIds} hot ids (Tandem: response cache hits; reference: /api/prebuilt/items/records/:id, a prebuilt JSON string per id)`,
    },
    create: {
      title: 'create (POST small JSON)',
      description: 'POST /api/collections/items/records {"title","category","price","active"} (~70 bytes)',
    },
    'pg-get': {
      title: 'PostgreSQL GET by id',
      description: `GET /api/collections/items/records/:id on PostgreSQL (id uniform over the ${config.rows} seeded rows; reference: Fastify + pg, a named prepared SELECT)`,
    },
    'pg-create': {
      title: 'PostgreSQL create',
      description:
        'POST /api/collections/items/records on PostgreSQL, ~70-byte JSON (reference: Fastify + pg, one autocommit INSERT)',
    },
    h2: {
      title: 'HTTP/2 GET by id (hot set)',
      description: `h2load -n ${config.h2Requests} -c ${config.h2Clients} -m ${config.h2Streams} over TLS + h2, cycling through ${config.hotIds} hot record URLs (Tandem: /api/collections/items/records/:id, response cache hits; reference: ${h2Route})`,
    },
  };
}
