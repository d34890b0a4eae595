import { useState } from 'preact/hooks';
import type { FieldModel } from '../api/types.js';
import { Checkbox, Select, TextInput } from '../ui/controls.js';

/** One option of a field type, and the control that edits it. */
interface OptionSpec {
  readonly key: string;
  readonly label: string;
  readonly kind: 'number' | 'text' | 'list' | 'bool' | 'collection';
}

const num = (key: string, label: string): OptionSpec => ({ key, label, kind: 'number' });
const text = (key: string, label: string): OptionSpec => ({ key, label, kind: 'text' });
const list = (key: string, label: string): OptionSpec => ({ key, label, kind: 'list' });
const bool = (key: string, label: string): OptionSpec => ({ key, label, kind: 'bool' });

/** The options each field type's form shows (as the server validates them, see docs/api.md). */
export const OPTIONS_BY_TYPE: Readonly<Record<string, readonly OptionSpec[]>> = {
  text: [num('min', 'Min length'), num('max', 'Max length'), text('pattern', 'Pattern (regex)')],
  editor: [num('maxSize', 'Max size (bytes)')],
  number: [num('min', 'Min'), num('max', 'Max'), bool('onlyInt', 'Integers only')],
  email: [list('onlyDomains', 'Only domains'), list('exceptDomains', 'Except domains')],
  url: [list('onlyDomains', 'Only domains'), list('exceptDomains', 'Except domains')],
  date: [text('min', 'Earliest'), text('max', 'Latest')],
  autodate: [bool('onCreate', 'Set on create'), bool('onUpdate', 'Set on update')],
  select: [list('values', 'Values'), num('maxSelect', 'Max selected')],
  json: [num('maxSize', 'Max size (bytes)')],
  relation: [
    { key: 'collectionId', label: 'Related collection', kind: 'collection' },
    num('minSelect', 'Min selected'),
    num('maxSelect', 'Max selected'),
    bool('cascadeDelete', 'Delete with the related record'),
  ],
  file: [
    num('maxSelect', 'Max files'),
    num('maxSize', 'Max size per file (bytes)'),
    list('mimeTypes', 'Allowed MIME types'),
    list('thumbs', 'Thumb sizes (e.g. 100x100, 0x50)'),
    bool('protected', 'Protected (needs a file token)'),
  ],
};

/** The keys a type's form edits with its own controls: everything else stays in the JSON box. */
export function typedOptionKeys(type: string): ReadonlySet<string> {
  return new Set((OPTIONS_BY_TYPE[type] ?? []).map((spec) => spec.key));
}

/** The controls of one field's type-specific options. */
export function FieldOptions(props: {
  field: FieldModel;
  collections: readonly { id: string; name: string }[];
  onChange: (field: FieldModel) => void;
}) {
  const { field } = props;
  const set = (key: string, value: unknown) => {
    const next: FieldModel = { ...field };
    if (value === undefined) delete next[key];
    else next[key] = value;
    props.onChange(next);
  };
  return (
    <>
      {(OPTIONS_BY_TYPE[field.type] ?? []).map((spec) => (
        <OptionControl
          key={spec.key}
          spec={spec}
          fieldName={field.name}
          value={field[spec.key]}
          collections={props.collections}
          set={(value) => set(spec.key, value)}
        />
      ))}
    </>
  );
}

function OptionControl(props: {
  spec: OptionSpec;
  fieldName: string;
  value: unknown;
  collections: readonly { id: string; name: string }[];
  set: (value: unknown) => void;
}) {
  const { spec, value, set } = props;
  // Labels name the field too, so that two fields' "Max" stay apart for a screen reader.
  const label = `${props.fieldName || 'field'}: ${spec.label}`;
  switch (spec.kind) {
    case 'bool':
      return <Checkbox label={label} checked={value === true} onChange={set} />;
    case 'number':
      return (
        <TextInput
          label={label}
          type="number"
          value={typeof value === 'number' ? String(value) : ''}
          onInput={(v) => set(v === '' ? undefined : Number(v))}
        />
      );
    case 'list':
      return <ListInput label={`${label} (comma-separated)`} value={value} set={set} />;
    case 'collection':
      return (
        <Select
          label={label}
          value={collectionNameOf(props.collections, value)}
          options={['', ...props.collections.map((c) => c.name)]}
          onChange={(name) => set(props.collections.find((c) => c.name === name)?.id ?? undefined)}
        />
      );
    default:
      return (
        <TextInput
          label={label}
          value={typeof value === 'string' ? value : ''}
          onInput={(v) => set(v || undefined)}
          mono
        />
      );
  }
}

/** A comma-separated list: the text is the input's own, so a trailing comma survives typing. */
function ListInput(props: { label: string; value: unknown; set: (value: string[]) => void }) {
  const [text, setText] = useState(Array.isArray(props.value) ? props.value.join(', ') : '');
  return <TextInput label={props.label} value={text} onInput={(v) => (setText(v), props.set(splitList(v)))} />;
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function collectionNameOf(collections: readonly { id: string; name: string }[], idOrName: unknown): string {
  const match = collections.find((c) => c.id === idOrName || c.name === idOrName);
  return match?.name ?? '';
}
