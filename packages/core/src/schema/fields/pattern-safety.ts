/**
 * Rejects regular expressions that do not compile or that nest quantifiers, the shape
 * behind catastrophic backtracking ((a+)+, (a*)*…). Patterns come from superusers, but
 * they run on every write, so a slow one would be a denial of service.
 */
export function isSafePattern(pattern: string): boolean {
  if (pattern.length > 1000) return false;
  try {
    new RegExp(pattern);
  } catch {
    return false;
  }
  return !/\([^)]*[+*}][^)]*\)\s*[+*{]/.test(pattern);
}
