import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api/client.js';
import { listCollections } from '../api/collections.js';
import type { CollectionModel } from '../api/types.js';
import { ErrorLine, Form, TextArea } from '../ui/controls.js';

/** The collections: links to their records and schemas, export and import (the CLI's JSON). */
export function Collections() {
  const [items, setItems] = useState<CollectionModel[]>([]);
  const [error, setError] = useState<string>();
  const load = () => listCollections().then(setItems, (caught) => setError(messageOf(caught)));
  useEffect(() => void load(), []);
  return (
    <section aria-labelledby="collections-title">
      <header class="row">
        <h1 id="collections-title">Collections</h1>
        <a class="button" href="#/collections-new">
          New collection
        </a>
        <button type="button" onClick={() => download(items)}>
          Export JSON
        </button>
      </header>
      <ErrorLine error={error} />
      <table>
        <caption class="sr-only">Collections</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Fields</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {items.map((collection) => (
            <tr key={collection.id}>
              <td>
                <a href={`#/collections/${collection.name}`}>{collection.name}</a>
              </td>
              <td>{collection.type}</td>
              <td>{collection.fields.filter((field) => !field.system).length}</td>
              <td>
                <a href={`#/collections/${collection.name}/schema`}>Edit schema</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ImportForm onImported={load} />
    </section>
  );
}

function ImportForm({ onImported }: { onImported: () => void }) {
  const [text, setText] = useState('');
  const [status, setStatus] = useState<string>();
  const submit = async () => {
    try {
      const parsed = JSON.parse(text) as unknown;
      const collections = Array.isArray(parsed) ? parsed : (parsed as { collections?: unknown }).collections;
      await api('PUT', '/api/collections/import', { collections, deleteMissing: false });
      setStatus('Imported.');
      onImported();
    } catch (caught) {
      setStatus(messageOf(caught));
    }
  };
  return (
    <Form label="Import collections" onSubmit={submit} class="card">
      <h2>Import</h2>
      <TextArea label="Collections JSON (as tandem collections export writes it)" value={text} onInput={setText} />
      <button type="submit">Import</button>
      <ErrorLine error={status} />
    </Form>
  );
}

function download(items: CollectionModel[]): void {
  const blob = new Blob([JSON.stringify(items, null, 2)], { type: 'application/json' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = 'collections.json';
  link.click();
  URL.revokeObjectURL(link.href);
}
