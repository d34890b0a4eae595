import { useId } from 'preact/hooks';
import type { RecordModel } from '@tandem/sdk';
import { client } from '../api/client.js';
import type { FieldModel } from '../api/types.js';

/** The files a form will add to, and remove from, one file field. */
export interface FileChanges {
  readonly added: File[];
  readonly removed: string[];
}

export const NO_FILE_CHANGES: FileChanges = { added: [], removed: [] };

const IMAGE = /\.(png|jpe?g|gif|webp)$/i;

/**
 * A file field of a record: its stored files (image previews as the server's 100x100
 * thumbs, others as links), a "Remove" toggle per file, and a file picker for new ones.
 * Protected files open with the file token the form fetched (`token`).
 */
export function FileControl(props: {
  label: string;
  field: FieldModel;
  record: RecordModel | undefined;
  token: string;
  changes: FileChanges;
  error: string | undefined;
  onChange: (changes: FileChanges) => void;
}) {
  const id = useId();
  const { field, record, changes } = props;
  const stored = storedFiles(record?.[field.name]);
  const many = Number(field.maxSelect ?? 1) > 1;
  const toggle = (name: string) =>
    props.onChange({
      ...changes,
      removed: changes.removed.includes(name) ? changes.removed.filter((n) => n !== name) : [...changes.removed, name],
    });
  const urlOf = (name: string, thumb?: string) =>
    record
      ? client.files.getUrl(record, name, {
          ...(thumb ? { thumb } : {}),
          ...(field.protected ? { token: props.token } : {}),
        })
      : '';
  return (
    <fieldset class="files">
      <legend>{props.label}</legend>
      {stored.length > 0 && (
        <ul>
          {stored.map((name) => (
            <li key={name} class={changes.removed.includes(name) ? 'removed' : undefined}>
              {IMAGE.test(name) && (
                <img src={urlOf(name, '100x100')} alt={`Preview of ${name}`} width={50} height={50} />
              )}
              <a href={urlOf(name)} target="_blank" rel="noopener noreferrer">
                {name}
              </a>
              <button
                type="button"
                class="link"
                onClick={() => toggle(name)}
                aria-pressed={changes.removed.includes(name)}
              >
                {changes.removed.includes(name) ? `Keep ${name}` : `Remove ${name}`}
              </button>
            </li>
          ))}
        </ul>
      )}
      <label for={id}>{many ? 'Add files' : stored.length ? 'Replace the file' : 'Choose a file'}</label>
      <input
        id={id}
        type="file"
        multiple={many}
        accept={Array.isArray(field.mimeTypes) && field.mimeTypes.length ? field.mimeTypes.join(',') : undefined}
        aria-invalid={props.error ? 'true' : undefined}
        onChange={(event) => props.onChange({ ...changes, added: [...(event.currentTarget.files ?? [])] })}
      />
      {props.error && (
        <small class="error" role="alert">
          {props.error}
        </small>
      )}
    </fieldset>
  );
}

function storedFiles(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((name): name is string => typeof name === 'string' && name !== '');
  return typeof value === 'string' && value !== '' ? [value] : [];
}

/**
 * The body of a save: plain JSON when no file changes, else a form whose `@jsonPayload`
 * carries the other fields and the removals (`field-`), with the new files as parts.
 */
export function recordBody(
  values: Record<string, unknown>,
  files: Record<string, FileChanges>,
  fields: FieldModel[],
  updating: boolean,
): unknown {
  const changed = Object.entries(files).filter(([, c]) => c.added.length > 0 || c.removed.length > 0);
  if (changed.length === 0) return values;
  const payload: Record<string, unknown> = { ...values };
  for (const [name, c] of changed) if (c.removed.length) payload[`${name}-`] = c.removed;
  const form = new FormData();
  form.append('@jsonPayload', JSON.stringify(payload));
  for (const [name, c] of changed) {
    // A multi-file field keeps its files and gains the new ones (`field+`); a single one is replaced.
    const many = Number(fields.find((f) => f.name === name)?.maxSelect ?? 1) > 1;
    const part = many && updating ? `${name}+` : name;
    for (const file of c.added) form.append(part, file, file.name);
  }
  return form;
}
