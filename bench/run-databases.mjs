// The databases of a run: one SQLite file per server, and for the pg-* workloads a fresh
// PostgreSQL database holding Tandem's table and the reference's; the same rows in all.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createReferenceDb } from './bench-common.mjs';
import {
  FALLBACK_DDL,
  countRows,
  importCollections,
  insertRows,
  keepNoRequestLog,
  prepareTandemDb,
} from './bench-data.mjs';
import {
  APPLICATION_NAMES,
  countPostgresRows,
  createBackendMonitor,
  createBenchDatabase,
  databaseUrl,
  dropBenchDatabase,
  seedPostgres,
} from './bench-postgres.mjs';

const isTandem = (name) => name.startsWith('tandem');

/**
 * One data dir (and SQLite file) per server, with Tandem's table (made by its CLI; the
 * reference gets the same DDL) and the same rows. `run`: config, tmpDir, tandemBin,
 * collectionsFile, root.
 */
export function prepareSqlite(run, rows) {
  const { config, tmpDir } = run;
  const dirs = Object.fromEntries(config.servers.map((name) => [name, join(tmpDir, name)]));
  const dbFile = (name) => join(dirs[name], 'data.db');
  for (const dir of Object.values(dirs)) mkdirSync(dir);
  let collectionId = 'pbc_reference00';
  let ddl = FALLBACK_DDL;
  for (const name of config.servers.filter(isTandem))
    ({ collectionId, ddl } = prepareTandemDb(run.tandemBin, run.collectionsFile, dirs[name], run.root));
  if (dirs['tandem-nostore']) keepNoRequestLog(dbFile('tandem-nostore'));
  if (dirs.reference) createReferenceDb(dbFile('reference'), ddl);
  for (const name of config.servers) insertRows(dbFile(name), rows);
  const importFlags = config.servers.filter(isTandem).map((name) => ['--dir', dirs[name]]);
  return { dirs, dbFile, collectionId, ids: rows.map((r) => r.id), tandemCache: true, importFlags, tandemLogs: {} };
}

/**
 * A fresh database on the server of `config.pgUrl`: Tandem's collection imported by its
 * CLI, the reference's table beside it, the same rows in both. The caller drops it with
 * `drop()`, also when anything after this fails.
 */
export async function preparePostgres(run, rows) {
  const { config } = run;
  const name = await createBenchDatabase(config.pgUrl);
  const url = (applicationName) => databaseUrl(config.pgUrl, name, applicationName);
  const pg = { name, url, dir: join(run.tmpDir, 'tandem-pg'), tandemCache: true, monitor: null };
  pg.drop = async () => {
    await pg.monitor?.close();
    await dropBenchDatabase(config.pgUrl, name);
  };
  try {
    mkdirSync(pg.dir);
    pg.importFlags = [['--dir', pg.dir, '--db', url(APPLICATION_NAMES.harness)]];
    importCollections(run.tandemBin, run.collectionsFile, pg.importFlags[0], run.root);
    pg.collectionId = await seedPostgres(url(APPLICATION_NAMES.harness), rows);
    pg.monitor = createBackendMonitor(url(APPLICATION_NAMES.harness));
    return pg;
  } catch (error) {
    await pg.drop().catch(() => undefined);
    throw error;
  }
}

/** Writes the collection file with `"cache": on|off` into the temp dir; returns its path. */
function collectionsFileWithCache(run, on) {
  const file = join(run.tmpDir, `items-cache-${on ? 'on' : 'off'}.collections.json`);
  if (!existsSync(file))
    writeFileSync(
      file,
      JSON.stringify(JSON.parse(readFileSync(run.collectionsFile, 'utf8')).map((c) => ({ ...c, cache: on }))),
    );
  return file;
}

/** Turns the items collection's response cache on or off in every Tandem database of `target` (before its servers start). */
export function useTandemCache(run, target, on) {
  if (target.tandemCache === on) return;
  for (const flags of target.importFlags)
    importCollections(run.tandemBin, collectionsFileWithCache(run, on), flags, run.root);
  target.tandemCache = on;
}

/** Rows the create workloads added: the count now, minus the seeded rows and the shape check's create. */
export async function countInserted(run, { data, pg }, results) {
  const { config } = run;
  const inserted = {};
  if (results.create)
    for (const name of config.servers) inserted[name] = countRows(data.dbFile(name)) - config.rows - 1;
  if (results['pg-create']?.rounds) {
    const counts = await countPostgresRows(pg.url(APPLICATION_NAMES.harness));
    // Every Tandem of the run (tandem-nolog, tandem-base) writes the one `items` table.
    const tandems = config.servers.filter((name) => name.startsWith('tandem') && name !== 'tandem-nostore');
    for (const [name, count] of Object.entries(counts)) {
      const label = name === 'tandem' ? tandems.join(' + ') : name;
      inserted[`${label} (PostgreSQL)`] = count - config.rows - 1;
    }
  }
  return inserted;
}
