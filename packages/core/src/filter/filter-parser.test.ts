import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COMPARISON_OPS, type FilterComparison, type FilterNode, type FilterOperand } from './filter-ast.js';
import { LruCache, parseFilter } from './filter-cache.js';
import { MAX_FILTER_DEPTH, MAX_FILTER_EXPRESSIONS, MAX_FILTER_LENGTH, parseFilterText } from './filter-parser.js';

function comparison(text: string): FilterComparison {
  const node = parseFilterText(text);
  assert.equal(node.type, 'comparison');
  return node as FilterComparison;
}

function rightOf(text: string): FilterOperand {
  return comparison(`a = ${text}`).right;
}

/** A compact rendering of a tree: `(a=1 || (b=2 && c=3))`. */
function shape(node: FilterNode): string {
  if (node.type === 'comparison') return `${name(node.left)}${node.any ? '?' : ''}${node.op}${name(node.right)}`;
  return `(${node.items.map(shape).join(node.type === 'and' ? ' && ' : ' || ')})`;
}

function name(operand: FilterOperand): string {
  return 'raw' in operand ? operand.raw : 'value' in operand ? String(operand.value) : operand.type;
}

function assertInvalid(text: string, message: RegExp): void {
  assert.throws(
    () => parseFilterText(text),
    (error: { code: string; status: number; message: string }) => {
      assert.equal(error.code, 'FILTER_INVALID');
      assert.equal(error.status, 400);
      assert.match(error.message, message);
      return true;
    },
  );
}

describe('parseFilter', () => {
  it('parses every operator and its ? variant', () => {
    for (const op of COMPARISON_OPS) {
      assert.deepEqual([comparison(`a ${op} 1`).op, comparison(`a ${op} 1`).any], [op, false]);
      assert.deepEqual([comparison(`a ?${op} 1`).op, comparison(`a ?${op} 1`).any], [op, true]);
      assert.equal(comparison(`a?${op}1`).op, op);
    }
  });

  it('binds && tighter than ||', () => {
    assert.equal(shape(parseFilterText('a = 1 || b = 2 && c = 3')), '(a=1 || (b=2 && c=3))');
    assert.equal(shape(parseFilterText('a = 1 && b = 2 || c = 3')), '((a=1 && b=2) || c=3)');
  });

  it('groups with parentheses', () => {
    assert.equal(shape(parseFilterText('(a = 1 || b = 2) && c = 3')), '((a=1 || b=2) && c=3)');
    assert.equal(shape(parseFilterText('((a = 1))')), 'a=1');
  });

  it('skips // line comments, also inside groups', () => {
    assert.equal(shape(parseFilterText('a = 1 // && b = 2\n && c = 3')), '(a=1 && c=3)');
    assert.equal(shape(parseFilterText('(a = 1 // x )\n)')), 'a=1');
    assert.deepEqual(rightOf('"// not a comment"'), { type: 'text', value: '// not a comment', position: 5 });
  });

  it('reads quoted text, unescaping only the quote character', () => {
    assert.equal((rightOf('"x\\"y"') as { value: string }).value, 'x"y');
    assert.equal((rightOf("'it\\'s'") as { value: string }).value, "it's");
    assert.equal((rightOf('"it\'s"') as { value: string }).value, "it's");
    assert.equal((rightOf('"50\\%"') as { value: string }).value, '50\\%');
    assert.equal((rightOf('"a\\\\"') as { value: string }).value, 'a\\\\');
    assert.equal((rightOf('"😀 é"') as { value: string }).value, '😀 é');
    assert.equal((rightOf('""') as { value: string }).value, '');
  });

  it('reads numbers, true, false and null (keywords in any case)', () => {
    assert.deepEqual(rightOf('-1.5'), { type: 'number', value: -1.5, raw: '-1.5', position: 5 });
    assert.deepEqual(rightOf('12'), { type: 'number', value: 12, raw: '12', position: 5 });
    assert.deepEqual(rightOf('007'), { type: 'number', value: 7, raw: '007', position: 5 });
    assert.deepEqual(rightOf('true'), { type: 'bool', value: true, position: 5 });
    assert.deepEqual(rightOf('FALSE'), { type: 'bool', value: false, position: 5 });
    assert.deepEqual(rightOf('Null'), { type: 'null', position: 5 });
  });

  it('reads field paths, modifiers and macros', () => {
    assert.deepEqual(rightOf('author.name:lower'), {
      type: 'field',
      path: ['author', 'name'],
      modifier: 'lower',
      raw: 'author.name:lower',
      position: 5,
    });
    assert.deepEqual((rightOf('data.a.0') as { readonly path: readonly string[] }).path, ['data', 'a', '0']);
    assert.deepEqual(rightOf('@request.auth.id'), {
      type: 'request',
      scope: 'auth',
      path: ['id'],
      modifier: null,
      raw: '@request.auth.id',
      position: 5,
    });
    assert.equal((rightOf('@request.body.tags:length') as { modifier: string }).modifier, 'length');
    assert.equal((rightOf('@request.headers.x_token:isset') as { scope: string }).scope, 'headers');
    assert.deepEqual(rightOf('@request.method'), {
      type: 'request',
      scope: 'method',
      path: [],
      modifier: null,
      raw: '@request.method',
      position: 5,
    });
    assert.deepEqual(rightOf('@todayStart'), { type: 'datetime', name: 'todayStart', raw: '@todayStart', position: 5 });
    assert.deepEqual(rightOf('@collection.users.id'), {
      type: 'collection',
      collection: 'users',
      alias: null,
      path: ['id'],
      modifier: null,
      raw: '@collection.users.id',
      position: 5,
    });
    assert.deepEqual(rightOf('@collection.pbc_1:m2.team.name:lower'), {
      type: 'collection',
      collection: 'pbc_1',
      alias: 'm2',
      path: ['team', 'name'],
      modifier: 'lower',
      raw: '@collection.pbc_1:m2.team.name:lower',
      position: 5,
    });
    assert.deepEqual(rightOf('@request.body.title:changed'), {
      type: 'request',
      scope: 'body',
      path: ['title'],
      modifier: 'changed',
      raw: '@request.body.title:changed',
      position: 5,
    });
    assert.equal((rightOf('@request.query.page:isset') as { modifier: string }).modifier, 'isset');
  });

  const errors: ReadonlyArray<readonly [string, RegExp]> = [
    ['a = ', /expected a right operand .* but found the end of the filter at position 5\./],
    ['a 1', /expected an operator .* but found "1" at position 3\./],
    ['(a = 1', /expected "\)" but found the end of the filter at position 7\./],
    ['a = 1)', /unexpected "\)" without a matching "\(" at position 6\./],
    ['a = "x', /unterminated quoted text at position 5\./],
    ['a == 1', /unknown operator "==" at position 3\./],
    ['a = 1 & b = 2', /unexpected "&", expected "&&" at position 7\./],
    ['a = 1.', /invalid number "1\." at position 5\./],
    ['a = 1x', /invalid number "1x" at position 5\./],
    ['a = $', /unexpected character "\$" at position 5\./],
    ['a = 1 b = 2', /expected && or \|\| but found "b" at position 7\./],
    ['a:nope = 1', /unknown modifier ":nope" in "a:nope" at position 1\./],
    ['a:lower:length = 1', /invalid identifier/],
    ['a..b = 1', /invalid identifier "a\.\.b"/],
    ['a. = 1', /invalid identifier/],
    ['#a = 1', /invalid identifier/],
    ['@nope = 1', /unknown macro "@nope"/],
    ['@now.x = 1', /"@now" takes no path or modifier/],
    ['@request.nope = 1', /unknown request macro/],
    ['@request.auth = 1', /needs a key/],
    ['@request.method.x = 1', /@request.method has no keys/],
    ['title:isset = 1', /:isset works only on @request.body/],
    [
      '@request.auth.id:isset = 1',
      /:isset works only on @request.body, @request.query and @request.headers, not on "@request.auth.id:isset"/,
    ],
    ['@request.method:isset = 1', /:isset works only on @request.body/],
    ['@now:isset = 1', /"@now" takes no path or modifier/],
    ['@collection.users.id:isset = 1', /:isset works only on @request.body/],
    ['title:changed = true', /:changed works only on @request.body.<field>, not on "title:changed"/],
    ['@request.query.a:changed = true', /:changed works only on @request.body.<field>/],
    ['@request.auth.id:changed = true', /:changed works only on @request.body.<field>/],
    ['@request.body.a.b:changed = true', /:changed works only on @request.body.<field>/],
    ['@collection.users.name:changed = 1', /:changed works only on @request.body.<field>/],
    ['@collection = 1', /invalid @collection reference "@collection"/],
    [
      '@collection.users = 1',
      /invalid @collection reference "@collection.users"; use @collection.<name>\[:alias\].<field>/,
    ],
    ['@collection.users:a = 1', /invalid @collection reference/],
    ['@collection.users:.id = 1', /invalid @collection reference/],
    ['@collection.users:a:b.id = 1', /invalid @collection reference/],
    ['@collection.users..id = 1', /invalid @collection reference/],
    ['@collection.users.id:nope = 1', /unknown modifier ":nope"/],
    ['f(a) = 1', /functions such as "f\(\)" are not supported at position 1\./],
    ['a = 1 && ()', /empty parentheses at position 10\./],
    ['', /the filter is empty\./],
    ['  // only a comment', /the filter is empty\./],
    ['a = "\u0000"', /NUL character or a lone surrogate at position 5\./],
    ['a = "\uD800"', /NUL character or a lone surrogate/],
    ['a = \u0000', /unexpected character U\+0000 at position 5\./],
    ['a = 1e5', /invalid number/],
    [`a = ${'9'.repeat(400)}`, /out of range/],
  ];
  for (const [text, message] of errors) {
    it(`rejects ${JSON.stringify(text.slice(0, 30))} saying where`, () => assertInvalid(text, message));
  }

  it(`accepts ${MAX_FILTER_LENGTH} characters and rejects one more`, () => {
    const filler = (n: number) => `a = "${'x'.repeat(n - 6)}"`;
    assert.equal(parseFilterText(filler(MAX_FILTER_LENGTH)).type, 'comparison');
    assertInvalid(filler(MAX_FILTER_LENGTH + 1), /longer than 3500 characters/);
  });

  it(`accepts ${MAX_FILTER_EXPRESSIONS} expressions and rejects one more`, () => {
    const many = (n: number) => Array.from({ length: n }, () => 'a=1').join('&&');
    assert.equal(
      (parseFilterText(many(MAX_FILTER_EXPRESSIONS)) as { readonly items: readonly unknown[] }).items.length,
      MAX_FILTER_EXPRESSIONS,
    );
    assertInvalid(many(MAX_FILTER_EXPRESSIONS + 1), /more than 200 expressions at position 1001\./);
  });

  it(`accepts ${MAX_FILTER_DEPTH} nested parentheses and rejects deeper nesting without a crash`, () => {
    const nested = (n: number) => `${'('.repeat(n)}a=1${')'.repeat(n)}`;
    assert.equal(parseFilterText(nested(MAX_FILTER_DEPTH)).type, 'comparison');
    assertInvalid(nested(MAX_FILTER_DEPTH + 1), /nest deeper than 32 levels at position 33\./);
    assertInvalid('('.repeat(MAX_FILTER_LENGTH), /nest deeper/);
    assertInvalid('('.repeat(1_000_000), /longer than/);
  });

  it('returns deeply frozen trees and the same tree for the same text', () => {
    const node = parseFilter('a = 1 && (b ?~ "x" || c.d:lower != null)');
    assert.equal(parseFilter('a = 1 && (b ?~ "x" || c.d:lower != null)'), node);
    const stack: unknown[] = [node];
    while (stack.length > 0) {
      const value = stack.pop();
      if (value && typeof value === 'object') {
        assert.ok(Object.isFrozen(value));
        stack.push(...Object.values(value));
      }
    }
  });

  it('does not cache errors', () => {
    assert.throws(() => parseFilter('a ='), { code: 'FILTER_INVALID' });
    assert.throws(() => parseFilter('a ='), { code: 'FILTER_INVALID' });
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entry', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    assert.equal(cache.get('a'), 1);
    cache.set('c', 3);
    assert.deepEqual([cache.get('a'), cache.get('b'), cache.get('c'), cache.size], [1, undefined, 3, 2]);
  });
});
