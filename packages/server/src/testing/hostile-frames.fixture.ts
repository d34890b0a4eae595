/**
 * Test-only: fast-check arbitraries of hostile WebSocket frames for Tandem's protocol
 * (`/api/ws`) over the blog fixture: messages with hostile members, junk text, binary
 * frames and text frames that are not UTF-8.
 */
import fc from 'fast-check';
import { batchBody, hostilePieces, type FuzzTargets, type HostilePieces } from './hostile-fixture.fixture.js';
import {
  describeData,
  hostileString,
  jsonObjectText,
  jsonQuote,
  malformedBody,
  PROTOTYPE_KEYS,
  scalarText,
} from './hostile-values.fixture.js';

/** One WebSocket frame: text (possibly not UTF-8) or binary. */
export interface HostileFrame {
  readonly data: string | Buffer;
  readonly binary: boolean;
}

/** Batches of one to four frames, sent together. */
export function hostileFrames(targets: FuzzTargets): fc.Arbitrary<HostileFrame[]> {
  return fc.array(socketFrame(hostilePieces(targets)), { minLength: 1, maxLength: 4 });
}

/** A frame of Tandem's WebSocket protocol with hostile members, or junk, binary or not UTF-8. */
function socketFrame(p: HostilePieces): fc.Arbitrary<HostileFrame> {
  const text = fc.oneof(
    { arbitrary: socketMessage(p), weight: 12 },
    { arbitrary: fc.oneof(p.value, malformedBody.filter(isString)), weight: 1 },
  );
  return fc.oneof(
    { arbitrary: text.map((data) => describedFrame({ data, binary: false })), weight: 20 },
    {
      arbitrary: fc
        .uint8Array({ maxLength: 16 })
        .map((bytes) => describedFrame({ data: Buffer.from(bytes), binary: true })),
      weight: 1,
    },
    {
      arbitrary: malformedBody.filter(Buffer.isBuffer).map((data) => describedFrame({ data, binary: false })),
      weight: 1,
    },
  );
}

function socketMessage(p: HostilePieces): fc.Arbitrary<string> {
  const id = fc.oneof(
    { arbitrary: fc.constantFrom('1', 'a', 's1'), weight: 4 },
    { arbitrary: scalarText(), weight: 1 },
  );
  // Each member is present most of the time, so that most messages are well-formed enough to reach their handler.
  const member = (name: string, text: fc.Arbitrary<string>) =>
    fc.option(
      text.map((t) => `,${jsonQuote(name)}:${t}`),
      { nil: '', freq: 6 },
    );
  const message = (type: string, ...members: fc.Arbitrary<string>[]) =>
    fc.tuple(member('id', id), ...members).map((parts) => `{"type":${jsonQuote(type)}${parts.join('')}}`);
  const token = scalarText(fc.oneof(fc.constantFrom(p.targets.userToken, p.targets.superuserToken, ''), hostileString));
  const topic = fc.oneof(
    fc.tuple(p.collection, fc.oneof(fc.constant('*'), p.recordId)).map(([c, r]) => `${c}/${r}`),
    hostileString,
  );
  const stringMap = jsonObjectText(
    fc.oneof(fc.constantFrom('a', 'authorization', ...PROTOTYPE_KEYS), hostileString),
    p.scalars,
  );
  const options = jsonObjectText(
    fc.constantFrom('filter', 'expand', 'fields', 'query', 'headers', ...PROTOTYPE_KEYS),
    fc.oneof(p.expression.map(jsonQuote), stringMap, p.value),
  );
  const action = fc
    .oneof(fc.constantFrom('list', 'view', 'create', 'update', 'delete', 'batch'), hostileString)
    .map(jsonQuote);
  const query = jsonObjectText(
    fc.constantFrom('filter', 'sort', 'expand', 'fields', 'page', 'perPage', ...PROTOTYPE_KEYS),
    fc.oneof(p.expression.map(jsonQuote), p.scalars),
  );
  const body = fc.oneof(
    p.objectBody,
    p.createTarget.map((t) => t.body),
    batchBody(p).filter(isString),
    p.value,
  );
  return fc.oneof(
    { arbitrary: message('ping'), weight: 1 },
    { arbitrary: message('auth', member('token', token)), weight: 2 },
    { arbitrary: message('subscribe', member('topic', topic.map(jsonQuote)), member('options', options)), weight: 4 },
    { arbitrary: message('unsubscribe'), weight: 1 },
    { arbitrary: message('resume', member('lastSeq', p.scalars)), weight: 1 },
    {
      arbitrary: p.createTarget.map(
        ({ collection, body }) =>
          `{"type":"request","id":"c","action":"create","collection":${jsonQuote(collection)},"body":${body}}`,
      ),
      weight: 3,
    },
    {
      arbitrary: message(
        'request',
        member('action', action),
        member('collection', p.collection.map(decodedJson)),
        member('recordId', p.recordId.map(decodedJson)),
        member('body', body),
        member('query', query),
      ),
      weight: 6,
    },
  );
}

/** A frame as one line, long text clipped, bytes in hex. */
export function describeFrame(frame: HostileFrame): string {
  return frame.binary ? `<binary ${(frame.data as Buffer).toString('hex')}>` : describeData(frame.data);
}

function describedFrame(frame: HostileFrame): HostileFrame {
  return Object.assign(frame, { [fc.toStringMethod]: () => describeFrame(frame) });
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** A path segment as a JSON string: decoded when it decodes, as written otherwise. */
function decodedJson(segment: string): string {
  try {
    return jsonQuote(decodeURIComponent(segment));
  } catch {
    return jsonQuote(segment);
  }
}
