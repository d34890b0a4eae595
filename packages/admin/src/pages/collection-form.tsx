import { useEffect, useState } from 'preact/hooks';
import { api, fieldErrorsOf, messageOf } from '../api/client.js';
import { FIELD_TYPES, RULE_KEYS, type CollectionModel, type FieldModel } from '../api/types.js';
import { Checkbox, ErrorLine, Form, Select, TextArea, TextInput } from '../ui/controls.js';
import { navigate } from '../ui/router.js';
import { listCollections } from '../api/collections.js';
import { FieldOptions, typedOptionKeys } from './field-options.js';
import { RuleInput } from './rule-input.js';

type Draft = Pick<CollectionModel, 'name' | 'type' | 'fields' | 'indexes' | (typeof RULE_KEYS)[number]> & {
  viewQuery?: string;
};

const EMPTY: Draft = {
  name: '',
  type: 'base',
  fields: [],
  indexes: [],
  listRule: null,
  viewRule: null,
  createRule: null,
  updateRule: null,
  deleteRule: null,
};

/** Creates a collection, or edits one (`name` given): fields with their options, indexes and the five rules. */
export function CollectionForm({ name }: { name?: string }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [collections, setCollections] = useState<CollectionModel[]>([]);
  useEffect(() => void listCollections().then(setCollections, () => setCollections([])), []);
  useEffect(() => {
    if (name)
      api<CollectionModel>('GET', `/api/collections/${encodeURIComponent(name)}`).then(setDraft, (e) =>
        setError(messageOf(e)),
      );
  }, [name]);
  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));
  const save = async () => {
    setError(undefined);
    try {
      const saved = await api<CollectionModel>(name ? 'PATCH' : 'POST', `/api/collections${name ? `/${name}` : ''}`, {
        ...draft,
      });
      navigate(`/collections/${saved.name}`);
    } catch (caught) {
      setErrors(fieldErrorsOf(caught));
      setError(messageOf(caught));
    }
  };
  const remove = async () => {
    if (!name || !confirm(`Delete the collection ${name} and all its records?`)) return;
    await api('DELETE', `/api/collections/${encodeURIComponent(name)}`).then(() => navigate('/'), setErrorOf);
  };
  const setErrorOf = (caught: unknown) => setError(messageOf(caught));
  return (
    <Form label={name ? `Edit ${name}` : 'New collection'} onSubmit={save}>
      <h1>{name ? `Edit ${name}` : 'New collection'}</h1>
      <TextInput label="Name" value={draft.name} onInput={(value) => set({ name: value })} error={errors.name} />
      {!name && (
        <Select
          label="Type"
          value={draft.type}
          options={['base', 'auth', 'view']}
          onChange={(v) => set({ type: v as Draft['type'] })}
        />
      )}
      {draft.type === 'view' ? (
        <ViewQueryInput draft={draft} error={errors.viewQuery} onInput={(viewQuery) => set({ viewQuery })} />
      ) : (
        <>
          <FieldsEditor
            fields={draft.fields}
            collections={collections}
            onChange={(fields) => set({ fields })}
            error={errors.fields}
          />
          <TextArea
            label="Indexes (one CREATE INDEX statement a line)"
            rows={3}
            value={draft.indexes.join('\n')}
            onInput={(text) => set({ indexes: text.split('\n').filter((line) => line.trim() !== '') })}
          />
          <ErrorLine error={errors.indexes} />
        </>
      )}
      <h2>Rules</h2>
      {(draft.type === 'view' ? VIEW_RULE_KEYS : RULE_KEYS).map((key) => (
        <RuleInput
          key={key}
          label={key}
          value={draft[key]}
          collection={name}
          serverError={errors[key]}
          onChange={(value) => set({ [key]: value })}
        />
      ))}
      <div class="row">
        <button type="submit">{name ? 'Save' : 'Create'}</button>
        {name && (
          <button type="button" class="danger" onClick={remove}>
            Delete collection
          </button>
        )}
      </div>
      <ErrorLine error={error} />
    </Form>
  );
}

/** A view is read-only: only its list and view rules apply. */
const VIEW_RULE_KEYS = ['listRule', 'viewRule'] as const;

/** A view collection's SELECT, and the fields the server derived from it (read-only). */
function ViewQueryInput(props: { draft: Draft; error: string | undefined; onInput: (query: string) => void }) {
  const derived = props.draft.fields.filter((f) => f.name !== 'id');
  return (
    <>
      <TextArea
        label="View query (one SELECT; its columns become the fields)"
        rows={5}
        value={props.draft.viewQuery ?? ''}
        onInput={props.onInput}
      />
      <ErrorLine error={props.error} />
      {derived.length > 0 && <p>Fields: {derived.map((f) => `${f.name} (${f.type})`).join(', ')}</p>}
    </>
  );
}

/** The non-system fields: name, type, required, hidden, the type's options, and any other option as JSON. */
function FieldsEditor(props: {
  fields: FieldModel[];
  collections: readonly CollectionModel[];
  onChange: (fields: FieldModel[]) => void;
  error?: string;
}) {
  const update = (index: number, field: FieldModel) =>
    props.onChange(props.fields.map((f, i) => (i === index ? field : f)));
  const add = () => props.onChange([...props.fields, { name: '', type: 'text', required: false }]);
  return (
    <fieldset>
      <legend>Fields</legend>
      {props.fields.map((field, index) =>
        field.system ? null : (
          <FieldRow
            key={field.id ?? index}
            field={field}
            collections={props.collections}
            onChange={(next) => update(index, next)}
            onRemove={() => props.onChange(props.fields.filter((_, i) => i !== index))}
          />
        ),
      )}
      <button type="button" onClick={add}>
        Add field
      </button>
      <ErrorLine error={props.error} />
    </fieldset>
  );
}

const BASIC = new Set(['id', 'name', 'type', 'system', 'required', 'hidden']);

/** One field: its name, type, flags, the type's options as controls, and any other option as JSON. */
function FieldRow(props: {
  field: FieldModel;
  collections: readonly CollectionModel[];
  onChange: (field: FieldModel) => void;
  onRemove: () => void;
}) {
  const { field } = props;
  const typed = typedOptionKeys(field.type);
  const isOther = (key: string) => !BASIC.has(key) && !typed.has(key);
  const [optionsText, setOptionsText] = useState(() =>
    JSON.stringify(Object.fromEntries(Object.entries(field).filter(([key]) => isOther(key)))),
  );
  const [optionsError, setOptionsError] = useState<string>();
  const setOptions = (text: string) => {
    setOptionsText(text);
    try {
      const parsed = JSON.parse(text || '{}') as Record<string, unknown>;
      const kept = Object.fromEntries(Object.entries(field).filter(([key]) => !isOther(key)));
      props.onChange({ ...kept, ...parsed } as FieldModel);
      setOptionsError(undefined);
    } catch {
      setOptionsError('Other options must be a JSON object, e.g. {"presentable": true}.');
    }
  };
  return (
    <div class="field-row">
      <TextInput label="Field name" value={field.name} onInput={(name) => props.onChange({ ...field, name })} />
      <Select
        label="Field type"
        value={field.type}
        options={FIELD_TYPES}
        onChange={(type) => props.onChange({ ...field, type })}
      />
      <Checkbox
        label="Required"
        checked={!!field.required}
        onChange={(required) => props.onChange({ ...field, required })}
      />
      <Checkbox label="Hidden" checked={!!field.hidden} onChange={(hidden) => props.onChange({ ...field, hidden })} />
      <FieldOptions field={field} collections={props.collections} onChange={props.onChange} />
      <TextInput label="Other options (JSON)" value={optionsText} onInput={setOptions} error={optionsError} mono />
      <button type="button" class="danger" onClick={props.onRemove} aria-label={`Remove field ${field.name}`}>
        Remove
      </button>
    </div>
  );
}
