import { useEffect, useState } from 'preact/hooks';
import type { RecordModel } from '@tandem/sdk';
import { api, client, fieldErrorsOf, messageOf } from '../api/client.js';
import type { CollectionModel, FieldModel } from '../api/types.js';
import { Checkbox, ErrorLine, Form, Select, TextArea, TextInput } from '../ui/controls.js';
import { FileControl, NO_FILE_CHANGES, recordBody, type FileChanges } from './file-control.js';

/** Fields the server fills: never edited in the form. */
const SERVER_SET = new Set(['autodate']);

/** Creates or edits one record: one control per field type, relation pickers, delete. */
export function RecordForm(props: { collection: CollectionModel; record?: RecordModel; onDone: () => void }) {
  const { collection, record } = props;
  const editable = collection.fields.filter((f) => !f.system && !SERVER_SET.has(f.type) && f.type !== 'file');
  const fileFields = collection.fields.filter((f) => f.type === 'file');
  const [values, setValues] = useState<Record<string, unknown>>(() => initialValues(editable, record));
  const [files, setFiles] = useState<Record<string, FileChanges>>({});
  const token = useFileToken(fileFields.some((f) => f.protected === true) && record !== undefined);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const base = `/api/collections/${encodeURIComponent(collection.name)}/records`;
  const fail = (caught: unknown) => (setErrors(fieldErrorsOf(caught)), setError(messageOf(caught)));
  const save = () =>
    api(
      record ? 'PATCH' : 'POST',
      record ? `${base}/${record.id}` : base,
      recordBody(values, files, fileFields, record !== undefined),
    ).then(props.onDone, fail);
  const remove = () => {
    if (record && confirm(`Delete record ${record.id}?`))
      api('DELETE', `${base}/${record.id}`).then(props.onDone, fail);
  };
  const set = (name: string, value: unknown) => setValues((current) => ({ ...current, [name]: value }));
  return (
    <Form label={record ? `Edit record ${record.id}` : 'New record'} onSubmit={save} class="card">
      <h2>{record ? `Edit ${record.id}` : 'New record'}</h2>
      {editable.map((field) => (
        <FieldControl key={field.name} field={field} value={values[field.name]} error={errors[field.name]} set={set} />
      ))}
      {fileFields.map((field) => (
        <FileControl
          key={field.name}
          label={field.required ? `${field.name} (required)` : field.name}
          field={field}
          record={record}
          token={token}
          changes={files[field.name] ?? NO_FILE_CHANGES}
          error={errors[field.name]}
          onChange={(changes) => setFiles((current) => ({ ...current, [field.name]: changes }))}
        />
      ))}
      <div class="row">
        <button type="submit">{record ? 'Save' : 'Create'}</button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
        {record && (
          <button type="button" class="danger" onClick={remove}>
            Delete
          </button>
        )}
      </div>
      <ErrorLine error={error} />
    </Form>
  );
}

/** A file token for the previews of protected files ('' until it arrives, or when not `needed`). */
function useFileToken(needed: boolean): string {
  const [token, setToken] = useState('');
  useEffect(() => {
    if (needed) client.files.getToken().then(setToken, () => setToken(''));
  }, [needed]);
  return token;
}

function initialValues(fields: FieldModel[], record: RecordModel | undefined): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of fields) values[field.name] = record?.[field.name] ?? (field.type === 'bool' ? false : '');
  return values;
}

/** One control for one field, by its type. */
function FieldControl(props: {
  field: FieldModel;
  value: unknown;
  error: string | undefined;
  set: (name: string, value: unknown) => void;
}) {
  const { field, value, error } = props;
  const set = (next: unknown) => props.set(field.name, next);
  const label = field.required ? `${field.name} (required)` : field.name;
  switch (field.type) {
    case 'bool':
      return <Checkbox label={label} checked={value === true} onChange={set} />;
    case 'number':
      return (
        <TextInput
          label={label}
          type="number"
          value={String(value ?? '')}
          onInput={(v) => set(v === '' ? null : Number(v))}
          error={error}
        />
      );
    case 'json':
    case 'geoPoint':
      return <JsonControl label={label} value={value} set={set} />;
    case 'select':
      return <SelectControl label={label} field={field} value={value} set={set} />;
    case 'relation':
      return <RelationPicker label={label} field={field} value={value} set={set} error={error} />;
    default:
      return (
        <TextInput label={label} type={inputType(field.type)} value={String(value ?? '')} onInput={set} error={error} />
      );
  }
}

function inputType(type: string): string {
  return type === 'email' ? 'email' : type === 'url' ? 'url' : type === 'password' ? 'password' : 'text';
}

function JsonControl(props: { label: string; value: unknown; set: (value: unknown) => void }) {
  const [text, setText] = useState(props.value === '' || props.value === undefined ? '' : JSON.stringify(props.value));
  const onInput = (next: string) => {
    setText(next);
    try {
      props.set(next.trim() === '' ? null : JSON.parse(next));
    } catch {
      // Not JSON yet: the value stays what it was until the text parses.
    }
  };
  return <TextArea label={`${props.label} (JSON)`} rows={3} value={text} onInput={onInput} />;
}

function SelectControl(props: { label: string; field: FieldModel; value: unknown; set: (value: unknown) => void }) {
  const values = (props.field.values as string[] | undefined) ?? [];
  if (Number(props.field.maxSelect ?? 1) > 1)
    return (
      <TextInput
        label={`${props.label} (comma-separated: ${values.join(', ')})`}
        value={Array.isArray(props.value) ? props.value.join(', ') : ''}
        onInput={(v) =>
          props.set(
            v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          )
        }
      />
    );
  return (
    <Select label={props.label} value={String(props.value ?? '')} options={['', ...values]} onChange={props.set} />
  );
}

/** Picks related records by id among the first ones of the target collection. */
function RelationPicker(props: {
  label: string;
  field: FieldModel;
  value: unknown;
  error: string | undefined;
  set: (value: unknown) => void;
}) {
  const [options, setOptions] = useState<string[]>([]);
  const target = String(props.field.collectionId ?? '');
  const many = Number(props.field.maxSelect ?? 1) > 1;
  useEffect(() => {
    api<{ items: RecordModel[] }>('GET', `/api/collections/${encodeURIComponent(target)}/records`, undefined, {
      perPage: '100',
      skipTotal: '1',
      fields: 'id',
    }).then(
      (page) => setOptions(page.items.map((item) => item.id)),
      () => setOptions([]),
    );
  }, [target]);
  if (many)
    return (
      <TextInput
        label={`${props.label} (ids, comma-separated; some: ${options.slice(0, 5).join(', ')})`}
        value={Array.isArray(props.value) ? props.value.join(', ') : ''}
        onInput={(v) =>
          props.set(
            v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          )
        }
        error={props.error}
      />
    );
  return (
    <Select label={props.label} value={String(props.value ?? '')} options={['', ...options]} onChange={props.set} />
  );
}
