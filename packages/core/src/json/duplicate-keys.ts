/**
 * True when the top-level object of a JSON text names a member twice. `JSON.parse`
 * silently keeps the last one, so `{"sub":"a","sub":"b"}` could read differently to two
 * parsers; security-sensitive inputs (JWT claims) refuse such texts (RFC 7519, section 4).
 * Names are compared after unescaping, so `"a"` and `"\u0061"` are the same name.
 * NB: expects text that `JSON.parse` already accepted.
 * @example hasDuplicateKeys('{"a":1,"a":2}') // true
 */
export function hasDuplicateKeys(json: string): boolean {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const char = json[i];
    if (char === '"') {
      const end = stringEnd(json, i);
      if (depth === 1 && expectKey) {
        const name = JSON.parse(json.slice(i, end + 1)) as string;
        if (seen.has(name)) return true;
        seen.add(name);
        expectKey = false;
      }
      i = end;
    } else if (char === '{' || char === '[') {
      depth++;
      expectKey = depth === 1 && char === '{';
    } else if (char === '}' || char === ']') depth--;
    else if (char === ',' && depth === 1) expectKey = true;
  }
  return false;
}

/** The index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}
