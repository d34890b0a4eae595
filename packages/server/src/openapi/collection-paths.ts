import type { Collection, Rule } from '@tandem/core';
import { errorResponses, jsonBody, jsonResponse, parameterRef, schemaRef } from './openapi-components.js';
import { recordBodySchema, recordSchema, type JsonSchema } from './field-schemas.js';

/** Who the document is for: superusers see every operation, others only those a rule opens. */
export interface Audience {
  readonly superuser: boolean;
}

/** A collection's contribution: its paths and component schemas. */
export interface CollectionPaths {
  readonly paths: Record<string, Record<string, unknown>>;
  readonly schemas: Record<string, JsonSchema>;
}

/** The names of a collection's component schemas. */
export function schemaNames(collection: Collection): { record: string; create: string; update: string; list: string } {
  const base = collection.name.replace(/[^A-Za-z0-9_.-]/g, '_');
  return { record: `${base}Record`, create: `${base}Create`, update: `${base}Update`, list: `${base}List` };
}

/** Records CRUD of one collection (view collections are read-only). */
export function recordPaths(collection: Collection, audience: Audience): CollectionPaths {
  const names = schemaNames(collection);
  const open = (rule: Rule) => audience.superuser || rule !== null;
  const op = (verb: string, summary: string, rest: Record<string, unknown>) => ({
    operationId: `${collection.name}.${verb}`,
    tags: [collection.name],
    summary,
    ...rest,
  });
  const one = jsonResponse('The record.', schemaRef(names.record));
  const writable = collection.type !== 'view';
  const list: Record<string, unknown> = {};
  const item: Record<string, unknown> = {};
  if (open(collection.listRule))
    list.get = op('list', `List ${collection.name}`, {
      parameters: ['page', 'perPage', 'sort', 'filter', 'expand', 'fields', 'skipTotal'].map(parameterRef),
      responses: { '200': jsonResponse('A page of records.', schemaRef(names.list)), ...errorResponses },
    });
  if (writable && open(collection.createRule))
    list.post = op('create', `Create a ${collection.name} record`, {
      parameters: ['expand', 'fields'].map(parameterRef),
      requestBody: jsonBody(schemaRef(names.create)),
      responses: { '200': one, ...errorResponses },
    });
  if (open(collection.viewRule))
    item.get = op('view', `View a ${collection.name} record`, {
      parameters: ['expand', 'fields'].map(parameterRef),
      responses: { '200': one, ...errorResponses },
    });
  if (writable && open(collection.updateRule)) {
    item.patch = op('update', `Update a ${collection.name} record`, {
      parameters: ['expand', 'fields'].map(parameterRef),
      requestBody: jsonBody(schemaRef(names.update)),
      responses: { '200': one, ...errorResponses },
    });
    item.put = op('replace', `Replace a ${collection.name} record (fields not given are emptied)`, {
      parameters: ['expand', 'fields'].map(parameterRef),
      requestBody: jsonBody(schemaRef(names.create)),
      responses: { '200': one, ...errorResponses },
    });
  }
  if (writable && open(collection.deleteRule))
    item.delete = op('delete', `Delete a ${collection.name} record`, {
      responses: { '204': { description: 'Deleted.' }, ...errorResponses },
    });
  const base = `/api/collections/${collection.name}/records`;
  const paths: Record<string, Record<string, unknown>> = {};
  if (Object.keys(list).length) paths[base] = list;
  if (Object.keys(item).length) paths[`${base}/{id}`] = { parameters: [parameterRef('recordId')], ...item };
  return { paths, schemas: Object.keys(paths).length ? collectionSchemas(collection) : {} };
}

function collectionSchemas(collection: Collection): Record<string, JsonSchema> {
  const names = schemaNames(collection);
  const page = { type: 'integer' };
  return {
    [names.record]: recordSchema(collection),
    [names.create]: recordBodySchema(collection, 'create'),
    [names.update]: recordBodySchema(collection, 'update'),
    [names.list]: {
      type: 'object',
      properties: {
        page,
        perPage: page,
        totalItems: page,
        totalPages: page,
        items: { type: 'array', items: schemaRef(names.record) },
      },
      required: ['page', 'perPage', 'totalItems', 'totalPages', 'items'],
    },
  };
}
