import { useState } from 'preact/hooks';
import { ClientError } from '@tandem/sdk';
import { client, messageOf } from '../api/client.js';
import { ErrorLine, Form, TextInput } from '../ui/controls.js';

const superusers = () => client.collection('_superusers');

/**
 * Signs a superuser in with a cookie session (the cookie is HttpOnly; the page keeps the
 * CSRF token for its writes). When MFA is on, the password answers 401 `{mfaId}` and a
 * one-time code sent by mail finishes the sign-in.
 */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [mfa, setMfa] = useState<{ mfaId: string; otpId: string } | undefined>();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string>();
  const finish = async (run: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await run();
      keepSessionOnly();
      onSignedIn();
    } catch (caught) {
      const mfaId = caught instanceof ClientError ? caught.data.mfaId : undefined;
      if (typeof mfaId !== 'string') return setError(messageOf(caught));
      const { otpId } = await superusers().requestOtp(email);
      setMfa({ mfaId, otpId });
    }
  };
  const signIn = () => finish(() => superusers().authWithPassword(email, password, { session: true }));
  const withCode = () => finish(() => superusers().authWithOtp(mfa!.otpId, code, { session: true, mfaId: mfa!.mfaId }));
  return (
    <main class="center">
      <h1>Tandem</h1>
      {mfa ? (
        <Form label="One-time code" onSubmit={withCode}>
          <p>A one-time code was sent to {email}.</p>
          <TextInput label="Code" value={code} onInput={setCode} autoComplete="one-time-code" required />
          <button type="submit">Verify</button>
          <ErrorLine error={error} />
        </Form>
      ) : (
        <Form label="Sign in" onSubmit={signIn}>
          <TextInput label="Email" type="email" value={email} onInput={setEmail} autoComplete="username" required />
          <TextInput
            label="Password"
            type="password"
            value={password}
            onInput={setPassword}
            autoComplete="current-password"
            required
          />
          <button type="submit">Sign in</button>
          <ErrorLine error={error} />
        </Form>
      )}
    </main>
  );
}

/** The cookie carries the session: the page drops the access token and keeps the CSRF token and the record. */
function keepSessionOnly(): void {
  const state = client.authStore.state;
  client.authStore.save({ ...state, token: '', refreshToken: '' });
}

/** Ends the cookie session. */
export async function signOut(): Promise<void> {
  try {
    await client.send({ method: 'POST', path: '/api/collections/_superusers/auth-logout' });
  } finally {
    client.authStore.clear();
  }
}
