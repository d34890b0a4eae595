import type { ListResult } from '@tandem/protocol';
import { ClientError } from './client-error.js';
import type { HttpRequest, RequestOptions } from './http-request.js';
import { listQuery, recordQuery, type ListOptions, type RecordOptions } from './list-options.js';
import { toQueryRecord } from './query-string.js';
import type { SocketRequest } from './realtime-client.js';
import type { TandemClient } from './tandem-client.js';

/** A body for create and update: the record's fields, plus modifiers such as `"views+": 1`. */
export type RecordBody<T> = { [K in keyof T]?: T[K] } & Record<string, unknown>;

/** A body with files: fields as form values (or one `@jsonPayload` part), files as parts. Always sent over HTTP. */
export type RecordForm = FormData;

/** Options of getFullList: list options plus the page size it walks with. */
export interface FullListOptions extends Omit<ListOptions, 'skipTotal'> {
  /** Records per request (default 500). */
  batch?: number;
}

/** The records API of one collection: list, read, create, update, replace and delete. */
export class RecordCrud<T> {
  // biome-ignore lint/suspicious/noExplicitAny: record CRUD serves every collection map a client was typed with
  readonly client: TandemClient<any>;
  readonly collectionName: string;

  // biome-ignore lint/suspicious/noExplicitAny: as above
  constructor(client: TandemClient<any>, collectionName: string) {
    this.client = client;
    this.collectionName = collectionName;
  }

  /** One page of records (`page` from 1, `perPage` default 30). */
  list(page = 1, perPage = 30, options: ListOptions = {}): Promise<ListResult<T>> {
    const query = listQuery(page, perPage, options);
    return this.run(
      { method: 'GET', path: this.recordsPath(), query, ...requestOptions(options) },
      { action: 'list', query: toQueryRecord(query) },
    );
  }

  /** Every record that matches, fetched page by page. */
  async getFullList(options: FullListOptions = {}): Promise<T[]> {
    const { batch = 500, ...rest } = options;
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const result = await this.list(page, batch, { ...rest, skipTotal: true });
      items.push(...result.items);
      // The server may cap perPage; it echoes the size it used.
      if (result.items.length < result.perPage || result.items.length === 0) return items;
    }
  }

  /** The first record that matches a filter; a ClientError 404 RECORD_NOT_FOUND when none does. */
  async getFirst(filter: string, options: Omit<ListOptions, 'filter' | 'skipTotal'> = {}): Promise<T> {
    const result = await this.list(1, 1, { ...options, filter, skipTotal: true });
    const first = result.items[0];
    if (first === undefined) throw new ClientError(404, 'RECORD_NOT_FOUND', "The requested resource wasn't found.");
    return first;
  }

  /** One record by id. */
  get(id: string, options: RecordOptions = {}): Promise<T> {
    const query = recordQuery(options);
    return this.run(
      { method: 'GET', path: this.recordPath(id), query, ...requestOptions(options) },
      { action: 'view', recordId: id, query: toQueryRecord(query) },
    );
  }

  /** Creates a record and returns it as stored; a `FormData` body carries files. */
  create(body: RecordBody<T> | RecordForm, options: RecordOptions = {}): Promise<T> {
    const query = recordQuery(options);
    return this.run(
      { method: 'POST', path: this.recordsPath(), query, body, ...requestOptions(options) },
      isForm(body) ? undefined : { action: 'create', body, query: toQueryRecord(query) },
    );
  }

  /** Changes the given fields of a record (PATCH; modifiers such as `"tags+"` or `"files-"` allowed). */
  update(id: string, body: RecordBody<T> | RecordForm, options: RecordOptions = {}): Promise<T> {
    const query = recordQuery(options);
    return this.run(
      { method: 'PATCH', path: this.recordPath(id), query, body, ...requestOptions(options) },
      isForm(body) ? undefined : { action: 'update', recordId: id, body, query: toQueryRecord(query) },
    );
  }

  /** Replaces a record (PUT, Tandem): fields not given are emptied. Always over HTTP. */
  replace(id: string, body: RecordBody<T>, options: RecordOptions = {}): Promise<T> {
    return this.run({
      method: 'PUT',
      path: this.recordPath(id),
      query: recordQuery(options),
      body,
      ...requestOptions(options),
    });
  }

  /** Deletes a record. */
  async delete(id: string, options: RequestOptions = {}): Promise<void> {
    await this.run(
      { method: 'DELETE', path: this.recordPath(id), ...requestOptions(options) },
      { action: 'delete', recordId: id },
    );
  }

  /** The path of the collection's records. */
  recordsPath(): string {
    return `/api/collections/${encodeURIComponent(this.collectionName)}/records`;
  }

  /** The path of one record. */
  recordPath(id: string): string {
    return `${this.recordsPath()}/${encodeURIComponent(id)}`;
  }

  /**
   * Sends over the socket when the client's transport says so and the request has a socket
   * form; requests with a signal or extra headers always use HTTP (the socket has neither).
   */
  protected async run<R>(http: HttpRequest, socket?: Omit<SocketRequest, 'collection'>): Promise<R> {
    if (socket && !http.signal && !http.headers && this.client.usesSocket()) {
      await this.client.ensureFreshAuth();
      return (await this.client.realtime.request({ ...socket, collection: this.collectionName })) as R;
    }
    return this.client.send<R>(http);
  }
}

function requestOptions(options: RequestOptions): Pick<HttpRequest, 'signal' | 'headers'> {
  const picked: Pick<HttpRequest, 'signal' | 'headers'> = {};
  if (options.signal) picked.signal = options.signal;
  if (options.headers) picked.headers = options.headers;
  return picked;
}

// NB: the realtime socket carries JSON only; a form (files) always goes over HTTP.
function isForm(body: unknown): body is RecordForm {
  return typeof FormData !== 'undefined' && body instanceof FormData;
}
