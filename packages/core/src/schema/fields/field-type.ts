import type { FieldError } from '../../errors/app-error.js';
import type { FieldDef, FieldTypeName } from '../collection.js';

/** What a field type needs while validating a value. */
export interface FieldValueContext {
  /** The value the record had before this write (undefined on create). */
  readonly previous?: unknown;
  readonly isNew: boolean;
}

/** The outcome of reading one client value: the typed value or a field error. */
export type FieldParseResult = { ok: true; value: unknown } | { ok: false; error: FieldError };

/**
 * One field type: its options, its zero value, how a client value becomes a typed
 * value, and what makes it valid. Each type lives in its own file.
 */
export interface FieldType {
  readonly type: FieldTypeName;
  /** Checks and completes a field definition's options; returns option errors by name. */
  normalizeOptions(def: FieldDef): Record<string, FieldError>;
  /** The value of an empty field. */
  zeroValue(def: FieldDef): unknown;
  /** Converts a submitted value to the field's JS type, or says why it cannot. */
  parse(value: unknown, def: FieldDef): FieldParseResult;
  /** Checks a parsed value against the field's constraints (required, min, max…). */
  validate(value: unknown, def: FieldDef, ctx: FieldValueContext): FieldError | null;
}

/** A field error with a PocketBase-style code. */
export function fieldError(code: string, message: string, params?: Record<string, unknown>): FieldError {
  return params ? { code, message, params } : { code, message };
}

/** The common "cannot be blank" error. */
export const requiredError = fieldError('validation_required', 'Cannot be blank.');

/** A parse failure. */
export function invalid(code: string, message: string): FieldParseResult {
  return { ok: false, error: fieldError(code, message) };
}

/** A parse success. */
export function parsed(value: unknown): FieldParseResult {
  return { ok: true, value };
}

/**
 * Reads an optional non-negative integer option, at most `ceiling` when one is given;
 * records an error when it is not one.
 */
export function checkCount(
  def: FieldDef,
  key: 'min' | 'max' | 'maxSelect' | 'minSelect' | 'maxSize',
  errors: Record<string, FieldError>,
  ceiling?: number,
): void {
  const value = def[key];
  if (value === undefined || value === null || value === '') return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    errors[key] = fieldError('validation_invalid_option', `${key} must be a non-negative integer.`);
  } else if (ceiling !== undefined && value > ceiling) {
    errors[key] = fieldError('validation_invalid_option', `${key} must be at most ${ceiling}.`, { max: ceiling });
  }
}
