import type { RecordModel } from '@tandem/protocol';
import type { RequestOptions } from './http-request.js';
import { recordQuery, type RecordOptions } from './list-options.js';
import { toQueryString } from './query-string.js';
import type { TandemClient } from './tandem-client.js';

/** One item of a batch, PocketBase's JSON form. */
export interface BatchRequest {
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** The answer of one item: 200 with the record, or 204 with null for a delete. */
export interface BatchResult<T = RecordModel> {
  status: number;
  body: T | null;
}

/** The writes of one collection inside a batch. */
export interface BatchCollection {
  create(body: Record<string, unknown>, options?: RecordOptions): BatchCollection;
  update(id: string, body: Record<string, unknown>, options?: RecordOptions): BatchCollection;
  /** Updates the record `body.id` names when it exists, else creates it. */
  upsert(body: Record<string, unknown>, options?: RecordOptions): BatchCollection;
  delete(id: string): BatchCollection;
}

/**
 * Record writes that run in one transaction, in order (`POST /api/batch`). If one
 * fails, none happens and send() rejects with a ClientError `BATCH_FAILED` whose
 * `data.requests.<index>.response` is the failing item's error.
 *
 * @example
 * const batch = client.batch();
 * batch.collection('authors').create({ id: 'authorcarla0003', name: 'Carla' });
 * batch.collection('posts').create({ title: 'By Carla', author: 'authorcarla0003' });
 * const [author, post] = await batch.send();
 */
export class Batch {
  // biome-ignore lint/suspicious/noExplicitAny: a batch serves every collection map a client was typed with
  readonly #client: TandemClient<any>;
  readonly #requests: BatchRequest[] = [];

  // biome-ignore lint/suspicious/noExplicitAny: as above
  constructor(client: TandemClient<any>) {
    this.#client = client;
  }

  /** The writes of one collection, added to this batch in call order. */
  collection(name: string): BatchCollection {
    const records = `/api/collections/${encodeURIComponent(name)}/records`;
    const add = (request: BatchRequest): BatchCollection => (this.#requests.push(request), collection);
    const collection: BatchCollection = {
      create: (body, options) => add({ method: 'POST', url: records + toQueryString(recordQuery(options)), body }),
      update: (id, body, options) =>
        add({
          method: 'PATCH',
          url: `${records}/${encodeURIComponent(id)}${toQueryString(recordQuery(options))}`,
          body,
        }),
      upsert: (body, options) => add({ method: 'PUT', url: records + toQueryString(recordQuery(options)), body }),
      delete: (id) => add({ method: 'DELETE', url: `${records}/${encodeURIComponent(id)}` }),
    };
    return collection;
  }

  /** The items added so far. */
  get requests(): readonly BatchRequest[] {
    return this.#requests;
  }

  /** Runs the batch; resolves with one result per item, in order. */
  send<T = RecordModel>(options: RequestOptions = {}): Promise<Array<BatchResult<T>>> {
    return this.#client.send({ method: 'POST', path: '/api/batch', body: { requests: this.#requests }, ...options });
  }
}
