import { useEffect, useState } from 'preact/hooks';
import { messageOf } from '../api/client.js';
import { positionOf, probeRule } from '../api/collections.js';
import { Checkbox, TextInput } from '../ui/controls.js';

/**
 * One rule: locked (null, superusers only) or an expression ("" is open to everyone).
 * On an existing collection the expression is checked as the user types, by the server
 * itself; the error names its position (counted from 1), and a caret marks it under the rule.
 */
export function RuleInput(props: {
  label: string;
  value: string | null;
  collection: string | undefined;
  serverError: string | undefined;
  onChange: (value: string | null) => void;
}) {
  const [live, setLive] = useState<string>();
  const { value, collection } = props;
  useEffect(() => {
    setLive(undefined);
    if (value === null || value.trim() === '' || !collection) return;
    const timer = setTimeout(() => probeRule(collection, value).catch((e) => setLive(messageOf(e))), 300);
    return () => clearTimeout(timer);
  }, [value, collection]);
  const error = live ?? props.serverError;
  const position = error ? positionOf(error) : undefined;
  return (
    <fieldset class="rule">
      <legend>{props.label}</legend>
      <Checkbox
        label="Locked (superusers only)"
        checked={value === null}
        onChange={(locked) => props.onChange(locked ? null : '')}
      />
      {value !== null && (
        <TextInput
          label={`${props.label} expression (empty: everyone)`}
          value={value}
          onInput={props.onChange}
          error={error}
          mono
        />
      )}
      {value !== null && position !== undefined && (
        <pre class="caret" aria-hidden="true">
          {`${value}\n${' '.repeat(Math.max(position - 1, 0))}^`}
        </pre>
      )}
    </fieldset>
  );
}
