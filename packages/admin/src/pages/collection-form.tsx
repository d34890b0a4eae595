import { useEffect, useState } from 'preact/hooks';
import { api, fieldErrorsOf, messageOf } from '../api/client.js';
import { FIELD_TYPES, RULE_KEYS, type CollectionModel, type FieldModel } from '../api/types.js';
import { Checkbox, ErrorLine, Form, Select, TextArea, TextInput } from '../ui/controls.js';
import { navigate } from '../ui/router.js';
import { RuleInput } from './rule-input.js';

type Draft = Pick<CollectionModel, 'name' | 'type' | 'fields' | 'indexes' | (typeof RULE_KEYS)[number]>;

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
          options={['base', 'auth']}
          onChange={(v) => set({ type: v as 'base' })}
        />
      )}
      <FieldsEditor fields={draft.fields} onChange={(fields) => set({ fields })} error={errors.fields} />
      <TextArea
        label="Indexes (one CREATE INDEX statement a line)"
        rows={3}
        value={draft.indexes.join('\n')}
        onInput={(text) => set({ indexes: text.split('\n').filter((line) => line.trim() !== '') })}
      />
      <ErrorLine error={errors.indexes} />
      <h2>Rules</h2>
      {RULE_KEYS.map((key) => (
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

/** The non-system fields: name, type, required, hidden, and the type's other options as JSON. */
function FieldsEditor(props: { fields: FieldModel[]; onChange: (fields: FieldModel[]) => void; error?: string }) {
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

function FieldRow(props: { field: FieldModel; onChange: (field: FieldModel) => void; onRemove: () => void }) {
  const { field } = props;
  const options = Object.fromEntries(Object.entries(field).filter(([key]) => !BASIC.has(key)));
  const [optionsText, setOptionsText] = useState(JSON.stringify(options));
  const [optionsError, setOptionsError] = useState<string>();
  const setOptions = (text: string) => {
    setOptionsText(text);
    try {
      const parsed = JSON.parse(text || '{}') as Record<string, unknown>;
      const basics = Object.fromEntries(Object.entries(field).filter(([key]) => BASIC.has(key)));
      props.onChange({ ...basics, ...parsed } as FieldModel);
      setOptionsError(undefined);
    } catch {
      setOptionsError('Options must be a JSON object, e.g. {"values": ["a", "b"], "maxSelect": 1}.');
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
      <TextInput label="Options (JSON)" value={optionsText} onInput={setOptions} error={optionsError} mono />
      <button type="button" class="danger" onClick={props.onRemove} aria-label={`Remove field ${field.name}`}>
        Remove
      </button>
    </div>
  );
}
