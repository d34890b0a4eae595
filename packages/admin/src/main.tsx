import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';
import { api, client } from './api/client.js';
import { Layout } from './ui/layout.js';
import { useHashPath } from './ui/router.js';
import { CollectionForm } from './pages/collection-form.js';
import { Collections } from './pages/collections.js';
import { Flow } from './pages/flow.js';
import { Install } from './pages/install.js';
import { Logs } from './pages/logs.js';
import { Metrics } from './pages/metrics.js';
import { Records } from './pages/records.js';
import { Settings } from './pages/settings.js';
import { SignIn, signOut } from './pages/sign-in.js';

type Session = 'checking' | 'in' | 'out';

/** The app: the install page of a first start, the sign-in, or the signed-in pages. */
function App() {
  const path = useHashPath();
  const [session, setSession] = useState<Session>('checking');
  useEffect(() => {
    // A superuser-only read tells whether the cookie session still holds.
    if (!client.authStore.state.csrfToken) return setSession('out');
    api('GET', '/api/settings').then(
      () => setSession('in'),
      () => (client.authStore.clear(), setSession('out')),
    );
  }, []);
  const install = /^\/install\/([\w-]+)$/.exec(path);
  if (install) return <Install token={install[1]!} />;
  if (session === 'checking') return <p role="status">Loading…</p>;
  if (session === 'out') return <SignIn onSignedIn={() => setSession('in')} />;
  const out = () => void signOut().finally(() => setSession('out'));
  return (
    <Layout path={path} onSignOut={out}>
      <Page path={path} />
    </Layout>
  );
}

function Page({ path }: { path: string }) {
  const records = /^\/collections\/([^/]+)$/.exec(path);
  const schema = /^\/collections\/([^/]+)\/schema$/.exec(path);
  if (path === '/flow') return <Flow />;
  if (path === '/settings') return <Settings />;
  if (path === '/metrics') return <Metrics />;
  if (path === '/logs') return <Logs />;
  if (path === '/collections-new') return <CollectionForm />;
  if (schema) return <CollectionForm key={schema[1]} name={decodeURIComponent(schema[1]!)} />;
  if (records) return <Records key={records[1]} name={decodeURIComponent(records[1]!)} />;
  return <Collections />;
}

render(<App />, document.getElementById('app')!);
