/** A file key of a batch form, as the pocketbase SDK writes it: `requests.N.field` or `requests[N].field`. */
const FILE_KEY = /^requests(?:\.(\d+)|\[(\d+)\])\.(.+)$/;

/**
 * Moves the files of a multipart batch into the bodies of their items: a part under
 * `requests.N.field` becomes `field` of item N's body (beside what `@jsonPayload` set
 * there; a mixed list of kept names and files, as the SDK sends it, stays one list).
 * A JSON body, with no such keys, is returned as it is.
 */
export function withBatchFiles(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const { requests, ...rest } = body as Record<string, unknown>;
  const files = Object.entries(rest).filter(([key]) => FILE_KEY.test(key));
  if (files.length === 0 || !Array.isArray(requests)) return body;
  const items = requests.map((item) => (isObject(item) ? { ...item, body: { ...asObject(item.body) } } : item));
  for (const [key, value] of files) {
    const [, dotted, bracketed, field] = FILE_KEY.exec(key)!;
    const item = items[Number(dotted ?? bracketed)];
    if (!isObject(item)) continue;
    const target = item.body as Record<string, unknown>;
    const had = target[field!];
    target[field!] =
      had === undefined ? value : [...(Array.isArray(had) ? had : [had]), ...(Array.isArray(value) ? value : [value])];
  }
  return { ...body, requests: items };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}
