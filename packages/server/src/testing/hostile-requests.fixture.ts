/**
 * Test-only: fast-check arbitraries of hostile HTTP requests (for `inject`) to the
 * records, batch, auth and realtime routes of the blog fixture.
 */
import fc from 'fast-check';
import {
  AUTH_KEYS,
  batchBody,
  hostilePieces,
  listQuery,
  type FuzzTargets,
  type HostilePieces,
} from './hostile-fixture.fixture.js';
import { describeData, hostileString, jsonObjectText, PROTOTYPE_KEYS, scalarText } from './hostile-values.fixture.js';
import { toXmlDocument } from '../xml/xml-writer.js';

/** One request for `inject`. */
export interface HostileRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly payload?: string | Buffer;
}

const AUTH_ENDPOINTS = [
  'auth-with-password',
  'auth-refresh',
  'request-otp',
  'auth-with-otp',
  'request-verification',
  'confirm-verification',
  'request-password-reset',
  'confirm-password-reset',
  'request-email-change',
  'confirm-email-change',
  'auth-logout',
  'auth-logout-all',
];
const CONTENT_TYPES = [
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json;;',
];
const XML = 'application/xml';
const ACCEPTS = [XML, 'text/xml;q=0.9, application/json;q=0.1', 'application/*', 'application/xml;q=abc, */*;q=0'];

/** Hostile requests to the records, batch, auth and realtime routes of the blog fixture. */
export function hostileRequests(targets: FuzzTargets): fc.Arbitrary<HostileRequest> {
  const p = hostilePieces(targets);
  const headers = requestHeaders(p);
  const query = listQuery(p);
  const records = (c: string) => `/api/collections/${c}/records`;
  const bare = (method: HostileRequest['method'], url: fc.Arbitrary<string>) =>
    fc.tuple(url, headers).map(([u, h]) => described({ method, url: u, headers: h }));
  const withBody = (
    method: HostileRequest['method'],
    url: fc.Arbitrary<string>,
    payload: fc.Arbitrary<string | Buffer>,
  ) => {
    const type = fc.oneof(
      { arbitrary: fc.constant('application/json'), weight: 9 },
      { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 1 },
      { arbitrary: fc.constant(XML), weight: 2 },
    );
    return fc.tuple(url, headers, payload, type).map(([u, h, body, t]) =>
      described({
        method,
        url: u,
        headers: { ...h, 'content-type': t },
        payload: t === XML ? asXml(body) : body,
      }),
    );
  };
  const recordUrl = fc.tuple(p.collection, p.recordId).map(([c, id]) => `${records(c)}/${id}`);
  return fc.oneof(
    {
      arbitrary: bare(
        'GET',
        fc.tuple(p.collection, query).map(([c, q]) => `${records(c)}?${q}`),
      ),
      weight: 4,
    },
    {
      arbitrary: bare(
        'GET',
        fc.tuple(recordUrl, query).map(([u, q]) => `${u}?${q}`),
      ),
      weight: 2,
    },
    {
      arbitrary: withBody(
        'POST',
        fc.tuple(p.collection, query).map(([c, q]) => `${records(c)}?${q}`),
        p.body,
      ),
      weight: 2,
    },
    {
      arbitrary: p.createTarget.chain(({ collection, body }) =>
        withBody(
          'POST',
          query.map((q) => `${records(collection)}?${q}`),
          fc.constant(body),
        ),
      ),
      weight: 3,
    },
    { arbitrary: withBody('PATCH', recordUrl, p.body), weight: 2 },
    { arbitrary: withBody('PUT', recordUrl, p.body), weight: 1 },
    { arbitrary: bare('DELETE', recordUrl), weight: 1 },
    { arbitrary: withBody('POST', fc.constant('/api/batch'), batchBody(p)), weight: 4 },
    {
      arbitrary: withBody(
        'POST',
        fc.tuple(p.collection, fc.constantFrom(...AUTH_ENDPOINTS)).map(([c, e]) => `/api/collections/${c}/${e}`),
        fc.oneof(authBody(p), p.body),
      ),
      weight: 4,
    },
    {
      arbitrary: bare(
        'GET',
        fc.tuple(p.collection, query).map(([c, q]) => `/api/collections/${c}/auth-methods?${q}`),
      ),
      weight: 1,
    },
    {
      arbitrary: withBody(
        'POST',
        p.recordId.map((id) => `/api/collections/users/impersonate/${id}`),
        authBody(p),
      ),
      weight: 1,
    },
    {
      arbitrary: withBody(
        'POST',
        fc.constant('/api/realtime'),
        fc.oneof(jsonObjectText(fc.constantFrom('clientId', 'subscriptions', ...PROTOTYPE_KEYS), p.value), p.body),
      ),
      weight: 2,
    },
  );
}

/** The same hostile value as an XML body (Tandem's mapping), or the text itself when it is no JSON. */
function asXml(body: string | Buffer): string | Buffer {
  try {
    return toXmlDocument(JSON.parse(body.toString()), 'record');
  } catch {
    return body;
  }
}

/** Who asks: a guest, the user, the superuser, sometimes with forged credentials on top. */
function requestHeaders(p: HostilePieces): fc.Arbitrary<Record<string, string>> {
  const principal = fc.constantFrom<Record<string, string>>(
    {},
    { authorization: p.targets.userToken },
    { authorization: `Bearer ${p.targets.superuserToken}` },
  );
  const forged = fc.oneof(
    { arbitrary: fc.constant<Record<string, string>>({}), weight: 5 },
    { arbitrary: forgedHeaders(), weight: 1 },
  );
  const accept = fc.oneof(
    { arbitrary: fc.constant<Record<string, string>>({}), weight: 4 },
    { arbitrary: fc.constantFrom(...ACCEPTS).map((value) => ({ accept: value })), weight: 1 },
  );
  return fc.tuple(principal, forged, accept).map(([who, junk, wants]) => ({ ...who, ...junk, ...wants }));
}

/** Headers a client may forge: junk credentials, cookies, forwarded addresses. */
function forgedHeaders(): fc.Arbitrary<Record<string, string>> {
  const ascii = fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((s) => s.replace(/[\r\n\u0000]/g, ''));
  return fc.oneof(
    ascii.map((v) => ({ authorization: v })),
    ascii.map((v) => ({ authorization: `Bearer ${v}` })),
    ascii.map((v) => ({ cookie: `__Host-tandem_session=${v}` })),
    ascii.map((v) => ({ 'x-forwarded-for': v })),
    fc.constant({ authorization: 'Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJpZCI6InRlc3QiLCJ0eXBlIjoiYXV0aCJ9.' }),
  );
}

/** A body for the auth endpoints: credentials, tokens and ids, real and forged. */
function authBody(p: HostilePieces): fc.Arbitrary<string> {
  const { userEmail, userToken, userId } = p.targets;
  const credential = scalarText(
    fc.oneof(
      fc.constantFrom(userEmail, userToken, userId, 'eyJhbGciOiJub25lIn0.eyJpZCI6IngifQ.', 'a long passphrase 123'),
      hostileString,
    ),
  );
  return jsonObjectText(fc.constantFrom(...AUTH_KEYS, ...PROTOTYPE_KEYS), fc.oneof(credential, p.value));
}

/** A request as one line: method, url, headers and body, long parts clipped, bytes in hex. */
export function describeRequest(request: HostileRequest): string {
  const payload = request.payload === undefined ? '' : ` body ${describeData(request.payload)}`;
  return `${request.method} ${describeData(request.url)} ${JSON.stringify(request.headers)}${payload}`;
}

/** fast-check prints a counterexample with its toStringMethod: a clipped line rather than megabytes. */
function described(request: HostileRequest): HostileRequest {
  return Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) });
}
