/** Formats a Date as Tandem's (and PocketBase's) datetime text: `2006-01-02 15:04:05.000Z`. */
export function formatDate(date: Date): string {
  return date.toISOString().replace('T', ' ');
}

const DATE_TEXT = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

// The longest date text (nanoseconds and a zone) with room for padding around it.
const MAX_DATE_INPUT = 64;

/** Parses ISO-8601-like text (space or T separator, optional zone) to the canonical text, or null. */
export function normalizeDateText(text: string): string | null {
  if (text.length > MAX_DATE_INPUT) return null;
  const trimmed = text.trim();
  if (!DATE_TEXT.test(trimmed)) return null;
  let iso = trimmed.replace(' ', 'T');
  if (iso.length === 10) iso += 'T00:00:00Z';
  else if (!/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) iso += 'Z';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : formatDate(date);
}
