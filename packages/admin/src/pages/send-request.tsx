import { useState } from 'preact/hooks';
import type { HttpMethod } from '@tandem/sdk';
import { api, messageOf } from '../api/client.js';
import { Form, Select, TextArea, TextInput } from '../ui/controls.js';

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];

/** Fires one request as the signed-in superuser, to watch it cross the diagram. */
export function SendRequest() {
  const [method, setMethod] = useState<HttpMethod>('GET');
  const [path, setPath] = useState('/api/health');
  const [body, setBody] = useState('');
  const [answer, setAnswer] = useState<string>();
  const send = async () => {
    try {
      const parsed = body.trim() === '' ? undefined : (JSON.parse(body) as unknown);
      setAnswer(JSON.stringify(await api(method, path, parsed), null, 2)?.slice(0, 2000) ?? '(no body)');
    } catch (caught) {
      setAnswer(messageOf(caught));
    }
  };
  return (
    <Form label="Send a request" onSubmit={send} class="card">
      <h2>Send a request</h2>
      <Select label="Method" value={method} options={METHODS} onChange={(m) => setMethod(m as HttpMethod)} />
      <TextInput label="Path" value={path} onInput={setPath} mono />
      {method !== 'GET' && <TextArea label="Body (JSON)" rows={3} value={body} onInput={setBody} />}
      <button type="submit">Send</button>
      {answer !== undefined && (
        <pre class="answer" aria-live="polite">
          {answer}
        </pre>
      )}
    </Form>
  );
}
