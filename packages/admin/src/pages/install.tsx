import { useState } from 'preact/hooks';
import { api, fieldErrorsOf, messageOf } from '../api/client.js';
import { ErrorLine, Form, TextInput } from '../ui/controls.js';
import { navigate } from '../ui/router.js';

/** The first start's page: the one-time link `tandem serve` printed lets the first superuser be created. */
export function Install({ token }: { token: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const create = async () => {
    setError(undefined);
    try {
      await api('POST', '/api/superusers/install', { token, email, password });
      navigate('/');
    } catch (caught) {
      setErrors(fieldErrorsOf(caught));
      setError(messageOf(caught));
    }
  };
  return (
    <main class="center">
      <h1>Create the first superuser</h1>
      <Form label="Create the first superuser" onSubmit={create}>
        <TextInput label="Email" type="email" value={email} onInput={setEmail} error={errors.email} required />
        <TextInput
          label="Password"
          type="password"
          value={password}
          onInput={setPassword}
          error={errors.password}
          autoComplete="new-password"
          required
        />
        <button type="submit">Create and continue</button>
        <ErrorLine error={error} />
      </Form>
    </main>
  );
}
