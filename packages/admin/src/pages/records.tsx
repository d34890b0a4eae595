import { useEffect, useState } from 'preact/hooks';
import type { RecordModel } from '@tandem/sdk';
import { api, client, messageOf } from '../api/client.js';
import type { CollectionModel } from '../api/types.js';
import { ErrorLine, Form, Pager, TextInput } from '../ui/controls.js';
import { RecordForm } from './record-form.js';

interface Page {
  items: RecordModel[];
  page: number;
  totalPages: number;
  totalItems: number;
}

const PER_PAGE = 30;

/**
 * A collection's records: the filter language, sort, expand, paging, and forms to
 * create, edit and delete. The open page follows realtime changes: any change to the
 * collection reloads it (with its filter, so what shows is what the server would list).
 */
export function Records({ name }: { name: string }) {
  const [collection, setCollection] = useState<CollectionModel>();
  const [query, setQuery] = useState({ filter: '', sort: '-id', expand: '' });
  const [draft, setDraft] = useState(query);
  const [pageNo, setPageNo] = useState(1);
  const [page, setPage] = useState<Page>();
  const [editing, setEditing] = useState<RecordModel | 'new'>();
  const [error, setError] = useState<string>();
  const [live, setLive] = useState(false);
  const load = () =>
    api<Page>('GET', `/api/collections/${encodeURIComponent(name)}/records`, undefined, {
      page: String(pageNo),
      perPage: String(PER_PAGE),
      ...Object.fromEntries(Object.entries(query).filter(([, v]) => v !== '')),
    }).then(
      (answer) => (setPage(answer), setError(undefined)),
      (e) => setError(messageOf(e)),
    );
  useEffect(() => {
    api<CollectionModel>('GET', `/api/collections/${encodeURIComponent(name)}`).then(setCollection, (e) =>
      setError(messageOf(e)),
    );
  }, [name]);
  useEffect(() => void load(), [name, pageNo, query]);
  useEffect(() => followChanges(name, load, setLive), [name, pageNo, query]);
  const apply = () => (setPageNo(1), setQuery(draft));
  const columns = (collection?.fields ?? []).filter((field) => !field.hidden || field.name === 'id').slice(0, 8);
  return (
    <section aria-labelledby="records-title">
      <header class="row">
        <h1 id="records-title">{name}</h1>
        <span class={live ? 'badge live' : 'badge'} role="status">
          {live ? 'Live' : 'Not live'}
        </span>
        {collection?.type !== 'view' && (
          <button type="button" onClick={() => setEditing('new')}>
            New record
          </button>
        )}
        <a href={`#/collections/${name}/schema`}>Edit schema</a>
      </header>
      <Form label="Query records" onSubmit={apply} class="row query">
        <TextInput label="Filter" value={draft.filter} onInput={(filter) => setDraft({ ...draft, filter })} mono />
        <TextInput label="Sort" value={draft.sort} onInput={(sort) => setDraft({ ...draft, sort })} mono />
        <TextInput label="Expand" value={draft.expand} onInput={(expand) => setDraft({ ...draft, expand })} mono />
        <button type="submit">Apply</button>
      </Form>
      <ErrorLine error={error} />
      {editing && collection && (
        <RecordForm
          collection={collection}
          record={editing === 'new' ? undefined : editing}
          onDone={() => (setEditing(undefined), load())}
        />
      )}
      <table>
        <caption>
          {page ? `${page.totalItems} records, page ${page.page} of ${Math.max(page.totalPages, 1)}` : 'Loading'}
        </caption>
        <thead>
          <tr>
            {columns.map((field) => (
              <th key={field.name} scope="col">
                {field.name}
              </th>
            ))}
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {page?.items.map((record) => (
            <tr key={record.id}>
              {columns.map((field) => (
                <td key={field.name}>{show(record[field.name], record.expand?.[field.name])}</td>
              ))}
              <td>
                {collection?.type !== 'view' && (
                  <button
                    type="button"
                    class="link"
                    onClick={() => setEditing(record)}
                    aria-label={`Edit ${record.id}`}
                  >
                    Edit
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={pageNo} totalPages={page?.totalPages} onPage={setPageNo} />
    </section>
  );
}

/** Subscribes to the collection's changes; returns the unsubscribe for the effect's cleanup. */
function followChanges(name: string, reload: () => void, setLive: (live: boolean) => void): () => void {
  let stop: (() => Promise<void>) | undefined;
  let closed = false;
  client
    .collection(name)
    .subscribe('*', () => reload())
    .then(
      (unsubscribe) => (closed ? void unsubscribe() : ((stop = unsubscribe), setLive(true))),
      () => setLive(false),
    );
  return () => {
    closed = true;
    setLive(false);
    void stop?.();
  };
}

function show(value: unknown, expanded: unknown): string {
  if (expanded && typeof expanded === 'object') return JSON.stringify(expanded).slice(0, 80);
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
