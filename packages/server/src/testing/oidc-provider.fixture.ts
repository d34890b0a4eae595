/**
 * Test-only: a real OpenID Connect identity provider (`oidc-provider`) on 127.0.0.1, a
 * port of its own, with accounts the test adds and a login step that a test "browser"
 * drives without a page: the interaction URL takes `?as=<accountId>` (or `?as=deny`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

/** The claims of one account at the provider. */
export interface IdpAccount {
  readonly sub: string;
  readonly email: string;
  readonly email_verified: boolean;
  readonly name?: string;
  readonly picture?: string;
}

/** A running identity provider and its one confidential client. */
export interface TestIdp {
  readonly issuer: string;
  readonly discoveryURL: string;
  readonly clientId: string;
  readonly clientSecret: string;
  addAccount(account: IdpAccount): void;
  /** Walks the authorization URL as a browser would, logging in as `as`; resolves to the redirect back to the app. */
  authorize(authURL: string, as: string): Promise<URL>;
  close(): Promise<void>;
}

/** Starts a provider whose client may redirect to the given URLs. */
export async function startTestIdp(redirectURIs: readonly string[]): Promise<TestIdp> {
  const accounts = new Map<string, IdpAccount>();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = { clientId: 'tandem-test', clientSecret: 'a-client-secret-of-the-test-provider-0123' };
  const provider = new Provider(issuer, configuration(accounts, client, redirectURIs));
  const callback = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) void finishLogin(provider, req, res);
    else callback(req, res);
  });
  return {
    issuer,
    discoveryURL: `${issuer}/.well-known/openid-configuration`,
    ...client,
    addAccount: (account) => accounts.set(account.sub, account),
    authorize: (authURL, as) => walkAuthorization(authURL, as),
    close: () => closeServer(server),
  };
}

function configuration(
  accounts: Map<string, IdpAccount>,
  client: { clientId: string; clientSecret: string },
  redirectURIs: readonly string[],
): Configuration {
  return {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: [...redirectURIs],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'picture'] },
    findAccount: (_ctx, id) => {
      const account = accounts.get(id);
      return account ? { accountId: id, claims: () => ({ ...account }) } : undefined;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    // Consent is granted at once: the tests are about Tandem's side of the flow.
    loadExistingGrant: (ctx) => grantEverything(ctx),
    cookies: { keys: ['test-cookie-key-0123456789abcdef'] },
  };
}

async function grantEverything(ctx: KoaContextWithOIDC) {
  const { Grant } = ctx.oidc.provider;
  const grant = new Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
  grant.addOIDCScope('openid email profile');
  await grant.save();
  return grant;
}

async function finishLogin(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const as = new URL(req.url!, 'http://idp').searchParams.get('as') ?? '';
  const result =
    as === 'deny' ? { error: 'access_denied', error_description: 'The user refused.' } : { login: { accountId: as } };
  try {
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error));
  }
}

/**
 * Follows the provider's redirects with a cookie jar until one leaves the provider:
 * that is the redirect back to the app, with `code` and `state` (or `error`).
 */
async function walkAuthorization(authURL: string, as: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = new URL(authURL);
  const origin = url.origin;
  for (let hop = 0; hop < 10; hop++) {
    if (url.origin !== origin) return url;
    if (url.pathname.startsWith('/interaction/')) url.searchParams.set('as', as);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    const location = response.headers.get('location');
    if (!location)
      throw new Error(`the provider stopped at ${url.pathname}: ${response.status} ${await response.text()}`);
    url = new URL(location, url);
  }
  throw new Error('too many redirects at the provider');
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
