import type { ComponentChildren, JSX } from 'preact';
import { useId } from 'preact/hooks';

/** A labelled input: the label names the control for keyboards and screen readers. */
export function TextInput(props: {
  label: string;
  value: string;
  onInput: (value: string) => void;
  type?: string;
  error?: string;
  hint?: string;
  required?: boolean;
  autoComplete?: string;
  mono?: boolean;
}) {
  const id = useId();
  return (
    <div class="control">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        type={props.type ?? 'text'}
        value={props.value}
        required={props.required}
        autoComplete={props.autoComplete}
        class={props.mono ? 'mono' : undefined}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
      {props.hint && <small>{props.hint}</small>}
      {props.error && (
        <small id={`${id}-error`} class="error" role="alert">
          {props.error}
        </small>
      )}
    </div>
  );
}

/** A labelled select. */
export function Select(props: {
  label: string;
  value: string;
  options: readonly string[];
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div class="control">
      <label for={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(event) => props.onChange(event.currentTarget.value)}>
        {props.options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A labelled checkbox. */
export function Checkbox(props: { label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  const id = useId();
  return (
    <div class="control check">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        onChange={(event) => props.onChange(event.currentTarget.checked)}
      />
      <label for={id}>{props.label}</label>
    </div>
  );
}

/** A labelled multi-line input. */
export function TextArea(props: { label: string; value: string; onInput: (value: string) => void; rows?: number }) {
  const id = useId();
  return (
    <div class="control">
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        rows={props.rows ?? 6}
        class="mono"
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
    </div>
  );
}

/** An error line announced to assistive technology. */
export function ErrorLine({ error }: { error: string | undefined }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
}

/** A form that calls `onSubmit` without reloading the page. */
export function Form(props: { onSubmit: () => void; children: ComponentChildren; label: string; class?: string }) {
  const submit = (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    props.onSubmit();
  };
  return (
    <form aria-label={props.label} class={props.class} onSubmit={submit}>
      {props.children}
    </form>
  );
}

/** Previous and next page of a paged list; `totalPages` undefined while the first page loads. */
export function Pager(props: { page: number; totalPages: number | undefined; onPage: (page: number) => void }) {
  const { page, totalPages } = props;
  return (
    <nav class="row" aria-label="Pages">
      <button type="button" disabled={page <= 1} onClick={() => props.onPage(page - 1)}>
        Previous page
      </button>
      <button
        type="button"
        disabled={totalPages === undefined || page >= totalPages}
        onClick={() => props.onPage(page + 1)}
      >
        Next page
      </button>
    </nav>
  );
}
