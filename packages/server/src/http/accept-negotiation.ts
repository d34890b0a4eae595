/**
 * Content negotiation between Tandem's two representations (RFC 9110 §12.5.1): JSON, the
 * default, and XML (`application/xml`, with `text/xml` as its alias, RFC 7303). Each
 * representation takes the quality of the most specific media range that matches it
 * (`type/subtype` over `type/*` over `*\/*`); XML is chosen only when its quality is
 * strictly higher than JSON's, so ties, `*\/*`, a missing Accept and an Accept that
 * names neither (e.g. `text/html` alone) all answer JSON. No 406: like PocketBase, the
 * server answers JSON rather than nothing (RFC 9110 lets a server disregard Accept).
 */

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

/** True when the request's Accept field prefers XML to JSON. Fields without "xml" cost one search. */
export function prefersXml(accept: string | undefined): boolean {
  if (accept === undefined || !/xml/i.test(accept)) return false;
  const ranges = parseAccept(accept);
  const xml = Math.max(qualityOf(ranges, 'application', 'xml'), qualityOf(ranges, 'text', 'xml'));
  return xml > qualityOf(ranges, 'application', 'json');
}

function parseAccept(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';');
    const [type = '', subtype = ''] = range.trim().toLowerCase().split('/');
    if (type === '' || subtype === '') continue;
    ranges.push({ type, subtype, q: qOf(params) });
  }
  return ranges;
}

/** The `q` parameter's weight (1 when absent; a malformed one counts as absent, as most servers read it). */
function qOf(params: string[]): number {
  for (const param of params) {
    const [name = '', value = ''] = param.split('=');
    if (name.trim().toLowerCase() !== 'q') continue;
    const q = Number(value.trim());
    return Number.isFinite(q) && value.trim() !== '' ? Math.min(Math.max(q, 0), 1) : 1;
  }
  return 1;
}

/** The quality of the most specific range matching `type/subtype` (0 when none does). */
function qualityOf(ranges: readonly MediaRange[], type: string, subtype: string): number {
  let best = -1;
  let quality = 0;
  for (const range of ranges) {
    const specificity = specificityOf(range, type, subtype);
    if (specificity > best) {
      best = specificity;
      quality = range.q;
    } else if (specificity === best && specificity >= 0) quality = Math.max(quality, range.q);
  }
  return quality;
}

function specificityOf(range: MediaRange, type: string, subtype: string): number {
  if (range.type === type && range.subtype === subtype) return 2;
  if (range.type === type && range.subtype === '*') return 1;
  if (range.type === '*' && range.subtype === '*') return 0;
  return -1;
}
