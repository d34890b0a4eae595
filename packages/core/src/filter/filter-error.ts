import { AppError } from '../errors/app-error.js';

/**
 * A 400 FILTER_INVALID error: `Invalid filter: <what>[ at position <n>].`
 * Messages never contain data values, only the filter's own text and schema names.
 */
export function filterError(what: string, position?: number): AppError {
  const where = position === undefined ? '' : ` at position ${position}`;
  return new AppError('FILTER_INVALID', `Invalid filter: ${what}${where}.`);
}

/** A 400 SORT_INVALID error: `Invalid sort: <what>.` */
export function sortError(what: string): AppError {
  return new AppError('SORT_INVALID', `Invalid sort: ${what}.`);
}

/** The 403 for `@request.*` or `@collection.*` used by a caller that may not use them. */
export function forbiddenMacroError(macro: '@request' | '@collection'): AppError {
  return new AppError('FILTER_FORBIDDEN_MACRO', `Only superusers can filter by ${macro}.`);
}

/** Quotes a piece of filter text for an error message, shortened to keep messages small. */
export function quoteForMessage(text: string): string {
  const short = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return JSON.stringify(short);
}

/**
 * Runs the compilation of a collection's rule. A rule that cannot be applied (it names
 * something that no longer exists) is the server's problem, and its text is the
 * server's secret: the client is told which rule failed, never what it says.
 */
export function withRuleHidden<T>(collection: string, ruleName: string, compile: () => T): T {
  try {
    return compile();
  } catch (error) {
    if (!(error instanceof AppError) || (error.code !== 'FILTER_INVALID' && error.code !== 'SORT_INVALID')) throw error;
    throw new AppError('FILTER_INVALID', `Invalid filter: the ${ruleName} of ${collection} cannot be applied.`);
  }
}
