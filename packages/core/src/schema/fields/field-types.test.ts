import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldDef } from '../collection.js';
import { fieldTypes } from './field-types.js';
import { generateFromPattern } from './random-pattern.js';
import { isSafePattern } from './pattern-safety.js';
import { normalizeDateText } from './date-format.js';

const def = (over: Partial<FieldDef>): FieldDef => ({
  id: 'f',
  name: 'f',
  type: 'text',
  system: false,
  hidden: false,
  presentable: false,
  required: false,
  ...over,
});

function check(field: FieldDef, value: unknown): string | null {
  const type = fieldTypes[field.type];
  const parsed = type.parse(value, field);
  if (!parsed.ok) return parsed.error.code;
  return type.validate(parsed.value, field, { isNew: true })?.code ?? null;
}

describe('field types', () => {
  const cases: Array<[string, Partial<FieldDef>, unknown, string | null]> = [
    ['text accepts a string', { type: 'text' }, 'hi', null],
    ['text rejects an object', { type: 'text' }, { a: 1 }, 'validation_invalid_value'],
    ['text required rejects empty', { type: 'text', required: true }, '', 'validation_required'],
    ['text min counts characters, not bytes', { type: 'text', min: 2 }, 'é', 'validation_min_text_constraint'],
    ['text max', { type: 'text', max: 3 }, 'abcd', 'validation_max_text_constraint'],
    ['text pattern', { type: 'text', pattern: '^[a-z]+$' }, 'ABC', 'validation_invalid_format'],
    ['editor accepts HTML', { type: 'editor' }, '<p>Hi <b>there</b></p>', null],
    ['editor required rejects empty', { type: 'editor', required: true }, '', 'validation_required'],
    ['editor maxSize counts UTF-8 bytes', { type: 'editor', maxSize: 4 }, 'ééé', 'validation_content_size_limit'],
    ['editor within maxSize', { type: 'editor', maxSize: 6 }, 'ééé', null],
    ['editor rejects an object', { type: 'editor' }, { a: 1 }, 'validation_invalid_value'],
    ['geoPoint accepts lon and lat', { type: 'geoPoint' }, { lon: 4.8, lat: 45.7 }, null],
    ['geoPoint accepts JSON text (multipart)', { type: 'geoPoint' }, '{"lon":-73.9,"lat":40.7}', null],
    ['geoPoint (0, 0) is empty for required', { type: 'geoPoint', required: true }, {}, 'validation_required'],
    ['geoPoint latitude range', { type: 'geoPoint' }, { lon: 1, lat: -90.5 }, 'validation_invalid_latitude'],
    ['geoPoint longitude range', { type: 'geoPoint' }, { lon: 181, lat: 1 }, 'validation_invalid_longitude'],
    ['geoPoint rejects text numbers', { type: 'geoPoint' }, { lon: '1', lat: 2 }, 'validation_invalid_value'],
    ['geoPoint rejects a list', { type: 'geoPoint' }, [1, 2], 'validation_invalid_value'],
    ['number accepts a numeric string', { type: 'number' }, '12.5', null],
    ['number rejects words', { type: 'number' }, 'twelve', 'validation_invalid_number'],
    ['number rejects Infinity', { type: 'number' }, Infinity, 'validation_invalid_number'],
    ['number onlyInt', { type: 'number', onlyInt: true }, 1.5, 'validation_only_int_constraint'],
    ['number min', { type: 'number', min: 0 }, -1, 'validation_min_number_constraint'],
    ['number max', { type: 'number', max: 10 }, 11, 'validation_max_number_constraint'],
    ['bool accepts "true"', { type: 'bool' }, 'true', null],
    ['bool rejects "maybe"', { type: 'bool' }, 'maybe', 'validation_invalid_bool'],
    ['bool required means true', { type: 'bool', required: true }, false, 'validation_required'],
    ['email accepts an address', { type: 'email' }, 'a@b.co', null],
    ['email rejects junk', { type: 'email' }, 'a@b', 'validation_is_email'],
    ['email onlyDomains', { type: 'email', onlyDomains: ['x.com'] }, 'a@b.co', 'validation_email_domain_not_allowed'],
    ['url accepts https', { type: 'url' }, 'https://x.com/a', null],
    ['url rejects javascript:', { type: 'url' }, 'javascript:alert(1)', 'validation_is_url'],
    ['date accepts ISO text', { type: 'date' }, '2026-01-02T03:04:05Z', null],
    ['date rejects junk', { type: 'date' }, '2026-13-45', 'validation_invalid_date'],
    ['date min', { type: 'date', min: '2026-01-01 00:00:00.000Z' }, '2025-12-31', 'validation_min_date_constraint'],
    ['select accepts a listed value', { type: 'select', values: ['a', 'b'] }, 'a', null],
    ['select rejects an unlisted value', { type: 'select', values: ['a', 'b'] }, 'z', 'validation_invalid_value'],
    [
      'multi select maxSelect',
      { type: 'select', values: ['a', 'b', 'c'], maxSelect: 2 },
      ['a', 'b', 'c'],
      'validation_too_many_values',
    ],
    [
      'single select refuses two values',
      { type: 'select', values: ['a', 'b'] },
      ['a', 'b'],
      'validation_too_many_values',
    ],
    ['json accepts any value', { type: 'json' }, { a: [1, 2] }, null],
    ['json maxSize', { type: 'json', maxSize: 5 }, { a: 'long' }, 'validation_json_size_limit'],
    ['json nested 32 levels deep', { type: 'json' }, JSON.parse(`${'['.repeat(32)}${']'.repeat(32)}`), null],
    [
      'json nested 33 levels deep',
      { type: 'json' },
      JSON.parse(`${'['.repeat(33)}${']'.repeat(33)}`),
      'validation_json_too_deep',
    ],
    [
      'json nested 10,000 levels deep, given to core directly',
      { type: 'json' },
      JSON.parse(`${'['.repeat(10_000)}1${']'.repeat(10_000)}`),
      'validation_json_too_deep',
    ],
    [
      'relation minSelect',
      { type: 'relation', collectionId: 'x', maxSelect: 5, minSelect: 2 },
      ['a'],
      'validation_not_enough_values',
    ],
    ['relation rejects non-strings', { type: 'relation', collectionId: 'x' }, [1], 'validation_invalid_value'],
  ];
  for (const [name, over, value, expected] of cases) {
    it(name, () => assert.equal(check(def(over), value), expected));
  }
});

describe('generateFromPattern', () => {
  it('fills character classes with counts', () => {
    for (let i = 0; i < 50; i++) assert.match(generateFromPattern('[a-z0-9]{15}'), /^[a-z0-9]{15}$/);
    assert.match(generateFromPattern('id_[A-F]{4}'), /^id_[A-F]{4}$/);
  });
});

describe('isSafePattern', () => {
  it('refuses nested quantifiers and invalid expressions', () => {
    assert.equal(isSafePattern('^[a-z]+$'), true);
    assert.equal(isSafePattern('(a+)+$'), false);
    assert.equal(isSafePattern('(a'), false);
  });
});

describe('normalizeDateText', () => {
  it('turns accepted forms into the canonical text', () => {
    assert.equal(normalizeDateText('2026-01-02'), '2026-01-02 00:00:00.000Z');
    assert.equal(normalizeDateText('2026-01-02T03:04:05+02:00'), '2026-01-02 01:04:05.000Z');
    assert.equal(normalizeDateText('yesterday'), null);
  });
});
