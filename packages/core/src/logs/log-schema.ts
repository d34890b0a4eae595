import type { Collection, FieldDef } from '../schema/collection.js';

/** The table of the request log. */
export const LOGS_TABLE = '_logs';

function field(name: string, type: FieldDef['type']): FieldDef {
  return { id: `_logs_${name}`, name, type, system: true, hidden: false, presentable: false, required: false };
}

/**
 * The request log seen as a collection, so that `filter` and `sort` of `/api/logs` go
 * through the one filter compiler (`level >= 8 && data.status = 404`, `-created`). It is
 * never registered with the collections: no record route can reach it.
 */
export const logsCollection: Collection = Object.freeze({
  id: '_pbc_logs',
  name: LOGS_TABLE,
  type: 'base',
  system: true,
  fields: [
    field('id', 'text'),
    field('created', 'date'),
    field('level', 'number'),
    field('message', 'text'),
    field('data', 'json'),
  ],
  indexes: [],
  listRule: null,
  viewRule: null,
  createRule: null,
  updateRule: null,
  deleteRule: null,
  created: '',
  updated: '',
}) as Collection;
