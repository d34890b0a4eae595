import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseXmlDocument } from './xml-document.js';
import { toXmlDocument } from './xml-writer.js';

const RUNS = Number(process.env.RUNS ?? 2000);
const seed = Number(process.env.SEED ?? Date.now() % 2 ** 31);
console.log(`xml mapping properties: seed=${seed} runs=${RUNS} (rerun with SEED=${seed})`);

// Every UTF-16 code unit, and the ones XML 1.0 cannot carry or a parser rewrites, often.
const awkward = ['<', '&', '>', '"', "'", '\r', '\r\n', '\n', '\t', ' ', ']]>', '\u0000', '\u001f', '\uFFFE', '\uFFFF'];
const unit = fc.oneof(
  fc.constantFrom(...awkward, '\uD800', '\uDC00', '\uD83D\uDE00', 'a', 'é'),
  fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const text = fc.string({ unit, maxLength: 8 });
const specialKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'xml', 'XmlName', 'entry'];
const key = fc.oneof(text, fc.constantFrom(...specialKeys, 'item', 'a b', '', '1a', 'a:b', 'type', 'key', 'id'));
const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(-0));
const { value: jsonValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
}));

function roundTrip(value: unknown): unknown {
  return parseXmlDocument(Buffer.from(toXmlDocument(value, 'response')), Number.POSITIVE_INFINITY);
}

describe('the XML mapping of JSON values', () => {
  it('reads back every JSON value it writes, deep-equal (keys, kinds, -0, text XML cannot carry)', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        assert.deepStrictEqual(roundTrip(value), value);
      }),
      { numRuns: RUNS, seed },
    );
  });

  it('reads back values parsed from JSON text, as the server writes them', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const parsed = JSON.parse(JSON.stringify(value));
        assert.deepStrictEqual(roundTrip(parsed), parsed);
      }),
      { numRuns: RUNS, seed: seed + 1 },
    );
  });

  it('never writes a namespace, a prefixed name or markup from the data', () => {
    const xml = toXmlDocument(
      { xmlns: 'http://www.w3.org/1999/xhtml', 'h:script': 'alert(1)', 'xml-stylesheet': 'x', s: '<script>"&' },
      'record',
    );
    assert.doesNotMatch(xml, /xmlns=|<h:|<script|<\?xml-stylesheet/);
    assert.match(xml, /<entry key="xmlns">http:\/\/www\.w3\.org\/1999\/xhtml<\/entry>/);
    assert.match(xml, /<s>&lt;script&gt;"&amp;<\/s>/);
  });

  it('writes the documented shapes', () => {
    const xml = toXmlDocument(
      { id: 'r1', n: 2, ok: true, none: null, tags: ['a'], empty: [], meta: {}, 'a b': 'x', line: 'a\rb' },
      'record',
    );
    assert.equal(
      xml,
      '<?xml version="1.0" encoding="UTF-8"?>\n<record><id>r1</id><n type="number">2</n><ok type="boolean">true</ok>' +
        '<none type="null"/><tags type="array"><item>a</item></tags><empty type="array"/><meta type="object"/>' +
        '<entry key="a b">x</entry><line encoding="json">a\\rb</line></record>',
    );
  });
});
