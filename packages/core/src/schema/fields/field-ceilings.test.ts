import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldDef } from '../collection.js';
import { fieldTypes } from './field-types.js';
import { JSON_MAX_SIZE_CEILING, MAX_JSON_FIELD_VALUES, MAX_LIST_VALUES, TEXT_MAX_CEILING } from './field-ceilings.js';

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

/** The error code a value gets from its field type (parse, then validate), or null. */
function check(field: FieldDef, value: unknown): string | null {
  const type = fieldTypes[field.type];
  const parsed = type.parse(value, field);
  if (!parsed.ok) return parsed.error.code;
  return type.validate(parsed.value, field, { isNew: true })?.code ?? null;
}

/** The option names a definition is refused for. */
const optionErrors = (over: Partial<FieldDef>) => Object.keys(fieldTypes[over.type!].normalizeOptions(def(over)));

const distinctIds = (n: number) => Array.from({ length: n }, (_, i) => `id${String(i).padStart(13, '0')}`);

describe('field ceilings: every field type refuses an oversized value before work proportional to it', () => {
  const cases: Array<[string, Partial<FieldDef>, unknown, string | null]> = [
    ['text without max takes 5,000 characters', { type: 'text' }, 'x'.repeat(5000), null],
    ['text without max refuses 5,001', { type: 'text' }, 'x'.repeat(5001), 'validation_max_text_constraint'],
    ['text max counts code points: three emoji fit max 3', { type: 'text', max: 3 }, '😀😀😀', null],
    [
      'text max counts a lone surrogate as one character',
      { type: 'text', max: 2 },
      'a\uD800b',
      'validation_max_text_constraint',
    ],
    [
      'text max above the ceiling is held to the ceiling',
      { type: 'text', max: 1e12 },
      'x'.repeat(TEXT_MAX_CEILING + 1),
      'validation_max_text_constraint',
    ],
    [
      'text of 30 million characters is refused at once',
      { type: 'text' },
      'x'.repeat(30_000_000),
      'validation_max_text_constraint',
    ],
    [
      'json maxSize above the ceiling is held to the ceiling',
      { type: 'json', maxSize: 1e12 },
      'x'.repeat(JSON_MAX_SIZE_CEILING),
      'validation_json_size_limit',
    ],
    ['json size counts UTF-8 bytes of the serialized value', { type: 'json', maxSize: 8 }, 'ééé', null],
    [
      'json holds at most 100,000 values (the array itself is one)',
      { type: 'json' },
      Array(MAX_JSON_FIELD_VALUES - 1).fill({}),
      null,
    ],
    [
      'json holding more values is refused before its size is measured',
      { type: 'json' },
      Array(MAX_JSON_FIELD_VALUES).fill({}),
      'validation_json_too_many_values',
    ],
    ['json size counts escapes', { type: 'json', maxSize: 8 }, '""""', 'validation_json_size_limit'],
    [
      'select refuses a list longer than the ceiling, duplicates or not',
      { type: 'select', values: ['a', 'b'], maxSelect: 2 },
      Array(MAX_LIST_VALUES + 1).fill('a'),
      'validation_too_many_values',
    ],
    [
      'relation refuses a list longer than the ceiling',
      { type: 'relation', collectionId: 'x', maxSelect: 5 },
      distinctIds(MAX_LIST_VALUES + 1),
      'validation_too_many_values',
    ],
    [
      'email padded with a million spaces is refused',
      { type: 'email' },
      `${' '.repeat(1_000_000)}a@b.co`,
      'validation_is_email',
    ],
    [
      'url longer than 2,048 characters is refused',
      { type: 'url' },
      `https://x.co/${'a'.repeat(3000)}`,
      'validation_is_url',
    ],
    [
      'date padded with a million spaces is refused',
      { type: 'date' },
      `${' '.repeat(1_000_000)}2026-01-02`,
      'validation_invalid_date',
    ],
  ];
  for (const [name, over, value, expected] of cases) {
    it(name, () => assert.equal(check(def(over), value), expected));
  }

  it('refuses options above the ceilings in a definition', () => {
    assert.deepEqual(optionErrors({ type: 'text', max: TEXT_MAX_CEILING + 1 }), ['max']);
    assert.deepEqual(optionErrors({ type: 'text', max: TEXT_MAX_CEILING }), []);
    assert.deepEqual(optionErrors({ type: 'json', maxSize: JSON_MAX_SIZE_CEILING + 1 }), ['maxSize']);
    assert.deepEqual(optionErrors({ type: 'relation', collectionId: 'x', maxSelect: MAX_LIST_VALUES + 1 }), [
      'maxSelect',
    ]);
    assert.deepEqual(optionErrors({ type: 'select', values: distinctIds(MAX_LIST_VALUES + 1) }), ['values']);
  });
});
