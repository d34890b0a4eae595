/**
 * Parses a query string into one value per name, the first, as PocketBase reads
 * parameters (`url.Values.Get`). Fastify's default parser makes an array of a repeated
 * name (`?sort=a&sort=b`), which no route expects: it reached core as a non-string and
 * failed there as a 500. Decoding is the URL standard's (`+` is a space; a broken
 * escape decodes to U+FFFD). The object has no prototype, so `__proto__` is a plain name.
 * @example parseQueryString('sort=-created&sort=title') // { sort: '-created' }
 */
export function parseQueryString(text: string): Record<string, string> {
  const query: Record<string, string> = Object.create(null);
  for (const [name, value] of new URLSearchParams(text)) {
    if (!Object.hasOwn(query, name)) query[name] = value;
  }
  return query;
}
