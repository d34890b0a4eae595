import { AppError, isAppError } from '../errors/app-error.js';
import type { DialectName } from '../store/dialect.js';
import { parseJsonDocument } from '../json/json-document.js';
import { migrationSql } from './migration-sql.js';

/** A scalar a SQL step binds as a parameter. */
export type SqlParam = string | number | boolean | null;

/** One step of a migration: a collection change, an import, or one parameterized SQL statement. */
export type MigrationStep =
  | { readonly op: 'create'; readonly collection: Record<string, unknown> }
  | { readonly op: 'update'; readonly collection: Record<string, unknown> }
  | { readonly op: 'delete'; readonly collection: string }
  | { readonly op: 'import'; readonly collections: unknown[]; readonly deleteMissing: boolean }
  | {
      readonly op: 'sql';
      readonly sql: string;
      readonly params: Readonly<Record<string, SqlParam>>;
      /** Runs only on this database; both when absent. */
      readonly dialect: DialectName | undefined;
    };

/** A migration file's content: the steps that apply it and the steps that revert it. */
export interface MigrationDocument {
  readonly description: string | undefined;
  readonly up: readonly MigrationStep[];
  readonly down: readonly MigrationStep[];
}

/** The largest migration file read (a snapshot of a few hundred collections is far below it). */
export const MAX_MIGRATION_BYTES = 16 * 1024 * 1024;
/** The most steps one direction of a migration may have. */
export const MAX_MIGRATION_STEPS = 10_000;
/** The longest SQL text of one step. */
export const MAX_SQL_LENGTH = 100_000;

const DOCUMENT_KEYS = new Set(['description', 'up', 'down']);
const STEP_KEYS: Record<MigrationStep['op'], readonly string[]> = {
  create: ['op', 'collection'],
  update: ['op', 'collection'],
  delete: ['op', 'collection'],
  import: ['op', 'collections', 'deleteMissing'],
  sql: ['op', 'sql', 'params', 'dialect'],
};

/**
 * Reads and checks a migration file's text. Anything unexpected (bad JSON, an unknown
 * key or step, a value of the wrong type) is MIGRATION_INVALID naming the file and the
 * place in it, before any step runs.
 */
export function parseMigrationDocument(file: string, text: string): MigrationDocument {
  if (text.length > MAX_MIGRATION_BYTES) throw invalid(file, `is larger than ${MAX_MIGRATION_BYTES} bytes`);
  const value = parseJson(file, text);
  if (!isObject(value)) throw invalid(file, 'must hold a JSON object {"up": [...], "down": [...]}');
  for (const key of Object.keys(value))
    if (!DOCUMENT_KEYS.has(key)) throw invalid(file, `has an unknown key "${key}" (expected description, up, down)`);
  if (value.description !== undefined && typeof value.description !== 'string')
    throw invalid(file, '"description" must be a string');
  return {
    description: value.description as string | undefined,
    up: stepsOf(file, 'up', value.up),
    down: stepsOf(file, 'down', value.down ?? []),
  };
}

function parseJson(file: string, text: string): unknown {
  try {
    return parseJsonDocument(text);
  } catch (error) {
    if (!isAppError(error)) throw error;
    const reason = error.code === 'JSON_INVALID' ? `is not valid JSON (${jsonSyntaxError(text)})` : error.message;
    throw invalid(file, reason);
  }
}

function jsonSyntaxError(text: string): string {
  try {
    JSON.parse(text);
    return 'unknown problem';
  } catch (error) {
    return (error as Error).message;
  }
}

function stepsOf(file: string, direction: 'up' | 'down', value: unknown): MigrationStep[] {
  if (!Array.isArray(value)) throw invalid(file, `"${direction}" must be an array of steps`);
  if (value.length > MAX_MIGRATION_STEPS)
    throw invalid(file, `"${direction}" has more than ${MAX_MIGRATION_STEPS} steps`);
  return value.map((step, index) => stepOf(file, `${direction}[${index}]`, step));
}

function stepOf(file: string, where: string, value: unknown): MigrationStep {
  if (!isObject(value)) throw invalid(file, `${where} must be an object with an "op"`);
  const op = value.op;
  if (typeof op !== 'string' || !Object.hasOwn(STEP_KEYS, op))
    throw invalid(file, `${where}.op must be one of ${Object.keys(STEP_KEYS).join(', ')}`);
  const known = STEP_KEYS[op as MigrationStep['op']];
  for (const key of Object.keys(value))
    if (!known.includes(key)) throw invalid(file, `${where} has an unknown key "${key}" for op "${op}"`);
  const at = (key: string) => `${where}.${key}`;
  switch (op as MigrationStep['op']) {
    case 'create':
    case 'update':
      if (!isObject(value.collection)) throw invalid(file, `${at('collection')} must be a collection object`);
      return { op: op as 'create' | 'update', collection: value.collection };
    case 'delete':
      if (typeof value.collection !== 'string' || value.collection === '')
        throw invalid(file, `${at('collection')} must be a collection id or name`);
      return { op: 'delete', collection: value.collection };
    case 'import':
      if (!Array.isArray(value.collections)) throw invalid(file, `${at('collections')} must be an array`);
      if (value.deleteMissing !== undefined && typeof value.deleteMissing !== 'boolean')
        throw invalid(file, `${at('deleteMissing')} must be true or false`);
      return { op: 'import', collections: value.collections, deleteMissing: value.deleteMissing === true };
    case 'sql':
      return sqlStepOf(file, where, value);
  }
}

function sqlStepOf(file: string, where: string, value: Record<string, unknown>): MigrationStep {
  if (typeof value.sql !== 'string' || value.sql.trim() === '')
    throw invalid(file, `${where}.sql must be a non-empty string`);
  if (value.sql.length > MAX_SQL_LENGTH)
    throw invalid(file, `${where}.sql is longer than ${MAX_SQL_LENGTH} characters`);
  const params = value.params ?? {};
  if (!isObject(params)) throw invalid(file, `${where}.params must be an object of named values`);
  for (const [name, param] of Object.entries(params))
    if (param !== null && !['string', 'number', 'boolean'].includes(typeof param))
      throw invalid(file, `${where}.params.${name} must be a string, number, boolean or null`);
  const dialect = value.dialect;
  if (dialect !== undefined && dialect !== 'sqlite' && dialect !== 'postgres')
    throw invalid(file, `${where}.dialect must be "sqlite" or "postgres"`);
  try {
    migrationSql(value.sql, params as Record<string, SqlParam>);
  } catch (error) {
    throw invalid(file, `${where}: ${(error as Error).message}`);
  }
  return { op: 'sql', sql: value.sql, params: params as Record<string, SqlParam>, dialect };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** MIGRATION_INVALID for one file, with the reason. */
export function invalid(file: string, reason: string): AppError {
  return new AppError('MIGRATION_INVALID', `Migration ${file} ${reason}.`, {
    migration: { code: 'validation_invalid_migration', message: `${file} ${reason}.` },
  });
}
