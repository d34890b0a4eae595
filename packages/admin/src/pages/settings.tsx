import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api/client.js';
import { ErrorLine, Form, TextArea } from '../ui/controls.js';
import { TlsStatusSection } from './tls-status.js';

interface Mail {
  to?: unknown;
  subject?: string;
  created?: string;
}

/** The settings as JSON (secrets are blanked by the server; a blank secret keeps the stored one) and the dev outbox. */
export function Settings() {
  const [text, setText] = useState('');
  const [status, setStatus] = useState<string>();
  const [mails, setMails] = useState<Mail[] | undefined>();
  useEffect(() => {
    api('GET', '/api/settings').then(
      (s) => setText(JSON.stringify(s, null, 2)),
      (e) => setStatus(messageOf(e)),
    );
    api<{ items: Mail[] }>('GET', '/api/mails', undefined, { limit: '20' }).then(
      (answer) => setMails(answer.items),
      () => setMails(undefined),
    );
  }, []);
  const save = async () => {
    try {
      const saved = await api('PATCH', '/api/settings', JSON.parse(text));
      setText(JSON.stringify(saved, null, 2));
      setStatus('Saved.');
    } catch (caught) {
      setStatus(messageOf(caught));
    }
  };
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <Form label="Settings" onSubmit={save}>
        <TextArea
          label="Settings (JSON: mail, rate limits, batch, sessions…)"
          rows={18}
          value={text}
          onInput={setText}
        />
        <button type="submit">Save settings</button>
        <ErrorLine error={status} />
      </Form>
      <TlsStatusSection />
      <h2>Dev outbox</h2>
      {mails === undefined ? (
        <p>No dev outbox: mail is sent over SMTP.</p>
      ) : (
        <ul>
          {mails.map((mail, index) => (
            <li key={index}>
              {mail.created} · {JSON.stringify(mail.to)} · {mail.subject}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
