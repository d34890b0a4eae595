// What comes before every value but the first (`[` before an array's first item, `,`
// before the next one, `:` before a member's value), and the quote that starts a string.
const STRUCTURE = /[[,:"]/g;
const BACKSLASH = 92;

/**
 * An upper bound of the values (objects, arrays and scalars) a JSON text holds, counted
 * from its text before it is parsed: one, plus one per `[`, `,` and `:` outside strings
 * (exact but for the commas between an object's members, and empty arrays).
 * Counting stops past `limit`, so the work is bounded by the limit (strings are skipped
 * with native searches), not by the size of the text. Malformed text is counted as far
 * as it goes; JSON.parse refuses it afterwards.
 * @example if (countJsonValues(text, 200_000) > 200_000) throw tooLarge;
 */
export function countJsonValues(text: string, limit: number): number {
  const structure = new RegExp(STRUCTURE);
  let count = 1;
  for (let match = structure.exec(text); match !== null && count <= limit; match = structure.exec(text)) {
    if (match[0] === '"') structure.lastIndex = endOfString(text, match.index + 1);
    else count++;
  }
  return count;
}

/** The index after the quote that closes the string whose content starts at `from`. */
function endOfString(text: string, from: number): number {
  for (let quote = text.indexOf('"', from); quote !== -1; quote = text.indexOf('"', quote + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
  }
  return text.length;
}
