import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ident, sql } from '../sql/sql.js';
import { sqliteDialect } from '../storage/sqlite/sqlite-dialect.js';
import { postgresDialect } from '../storage/postgres/postgres-dialect.js';
import { QueryTemplate, slot } from './query-template.js';

describe('QueryTemplate', () => {
  const template = new QueryTemplate(
    sql`SELECT * FROM ${ident('t')} WHERE "a" = ${slot(1)} AND "b" = ${'const'} AND "c" = ${slot(0)}`,
  );

  it('fills slots per call, in each dialect, and keeps constants', () => {
    assert.deepEqual(template.bind(['x', true]).render(sqliteDialect), {
      text: 'SELECT * FROM "t" WHERE "a" = ? AND "b" = ? AND "c" = ?',
      params: [1, 'const', 'x'],
    });
    assert.deepEqual(template.bind([undefined, 'y']).render(postgresDialect), {
      text: 'SELECT * FROM "t" WHERE "a" = $1 AND "b" = $2 AND "c" = $3',
      params: ['y', 'const', null],
    });
  });

  it('renders the text once per dialect', () => {
    const first = template.bind(['1', '2']).render(sqliteDialect);
    const second = template.bind(['3', '4']).render(sqliteDialect);
    assert.equal(first.text, second.text);
    assert.deepEqual(second.params, ['4', 'const', '3']);
    assert.notEqual(first.params, second.params);
  });
});
