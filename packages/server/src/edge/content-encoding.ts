/** A content coding Tandem produces. */
export type ContentCoding = 'br' | 'gzip';

const PREFERENCE: readonly ContentCoding[] = ['br', 'gzip'];

/**
 * Picks the coding for an `Accept-Encoding` field (RFC 9110 §12.5.3): the acceptable one
 * with the highest q-value, Brotli before gzip on a tie; `*` stands for any coding not
 * named; `q=0` refuses. Undefined means identity.
 */
export function negotiateEncoding(field: string | undefined): ContentCoding | undefined {
  if (!field) return undefined;
  const weights = new Map<string, number>();
  for (const item of field.split(',')) {
    const [name, ...params] = item.split(';');
    const coding = name!.trim().toLowerCase();
    if (coding) weights.set(coding, qualityOf(params));
  }
  let best: ContentCoding | undefined;
  let bestQ = 0;
  for (const coding of PREFERENCE) {
    const q = weights.get(coding) ?? weights.get('*') ?? 0;
    if (q > bestQ) (best = coding), (bestQ = q);
  }
  return best;
}

function qualityOf(params: string[]): number {
  for (const param of params) {
    const [key, value] = param.split('=');
    if (key!.trim().toLowerCase() !== 'q') continue;
    const q = Number(value?.trim());
    return Number.isFinite(q) && q >= 0 && q <= 1 ? q : 0;
  }
  return 1;
}

/** The entity tag of a coded representation: the identity tag with `-br` or `-gzip` inside the quotes. */
export function codedEntityTag(etag: string, coding: ContentCoding): string {
  return etag.endsWith('"') ? `${etag.slice(0, -1)}-${coding}"` : etag;
}
