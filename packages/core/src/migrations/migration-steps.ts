import { AppError, isAppError } from '../errors/app-error.js';
import type { CollectionEdit } from '../collections/collection-edit.js';
import type { MigrationStep } from './migration-document.js';
import { migrationSql } from './migration-sql.js';

/**
 * Runs the steps of one direction of a migration on an open edit (one transaction).
 * The first step that fails stops it with MIGRATION_FAILED, naming the file, the step
 * and the reason; the caller's transaction then rolls everything back.
 */
export async function runMigrationSteps(
  edit: CollectionEdit,
  file: string,
  direction: 'up' | 'down',
  steps: readonly MigrationStep[],
): Promise<void> {
  for (const [index, step] of steps.entries()) {
    try {
      await runStep(edit, step);
    } catch (error) {
      throw failed(file, `${direction}[${index}]`, step, error);
    }
  }
}

async function runStep(edit: CollectionEdit, step: MigrationStep): Promise<void> {
  switch (step.op) {
    case 'create':
      await edit.create(step.collection);
      return;
    case 'update':
      await edit.update(targetOf(step.collection), step.collection);
      return;
    case 'delete':
      await edit.delete(step.collection);
      return;
    case 'import':
      await edit.import(step.collections, { deleteMissing: step.deleteMissing });
      return;
    case 'sql':
      // A statement for the other database is skipped: a migration may carry one per dialect.
      if (step.dialect === undefined || step.dialect === edit.tx.dialect.name)
        await edit.tx.run(migrationSql(step.sql, step.params));
      return;
  }
}

/** The collection an update step changes: its id when given (a rename keeps it), else its name. */
function targetOf(collection: Record<string, unknown>): string {
  if (typeof collection.id === 'string' && collection.id !== '') return collection.id;
  if (typeof collection.name === 'string' && collection.name !== '') return collection.name;
  throw new AppError('MIGRATION_INVALID', 'An update step names its collection by "id" or "name".');
}

function failed(file: string, where: string, step: MigrationStep, error: unknown): AppError {
  const reason = isAppError(error) ? describeAppError(error) : firstLine(error);
  const message = `Migration ${file} failed at ${where} (${describeStep(step)}): ${reason}`;
  return new AppError('MIGRATION_FAILED', message, {
    migration: { code: 'validation_migration_failed', message },
  });
}

function describeStep(step: MigrationStep): string {
  if (step.op === 'sql') return 'sql';
  if (step.op === 'import') return `import of ${step.collections.length} collection(s)`;
  const name = typeof step.collection === 'string' ? step.collection : (step.collection.name ?? step.collection.id);
  return `${step.op} ${String(name)}`;
}

/** An AppError's message with its field errors, so a refused collection says which field and why. */
function describeAppError(error: AppError): string {
  const details = flatten(error.data).join('; ');
  return details === '' || error.message.includes(details) ? error.message : `${error.message} ${details}`;
}

function flatten(data: unknown, prefix = ''): string[] {
  if (typeof data !== 'object' || data === null) return [];
  const entry = data as { message?: unknown };
  if (typeof entry.message === 'string') return [`${prefix || 'value'}: ${entry.message}`];
  return Object.entries(data).flatMap(([key, inner]) => flatten(inner, prefix ? `${prefix}.${key}` : key));
}

function firstLine(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).split('\n')[0]!;
}
