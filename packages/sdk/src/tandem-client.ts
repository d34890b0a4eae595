import type { HealthResponse, RecordModel } from '@tandem/protocol';
import type { AuthStore } from './auth-store.js';
import { Batch } from './batch.js';
import { ClientError } from './client-error.js';
import {
  isUnsafeMethod,
  sendHttpRequest,
  type HttpRequest,
  type RequestOptions,
  type Revalidation,
} from './http-request.js';
import { EtagCache, type EtagCacheOptions } from './etag-cache.js';
import { FileService } from './file-service.js';
import { hasLocalStorage, LocalStorageAuthStore } from './local-storage-auth-store.js';
import { MemoryAuthStore } from './memory-auth-store.js';
import { RealtimeClient, type RealtimeOptions } from './realtime-client.js';
import { RecordService } from './record-service.js';
import { TokenRefresher } from './token-refresher.js';

/** How record requests travel: `auto` uses the realtime socket while it is open, `http` always HTTP. */
export type Transport = 'auto' | 'http';

/** Options of createClient. */
export interface ClientOptions {
  /** Where credentials live; default: localStorage in browsers, memory elsewhere. */
  authStore?: AuthStore;
  /** Default `http`. */
  transport?: Transport;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** Fetch credentials mode; default `include` while the store holds a session's CSRF token. */
  credentials?: RequestCredentials;
  /** How long before the access token expires a refresh token is traded (default 60 s). */
  refreshMarginMs?: number;
  realtime?: RealtimeOptions;
  /**
   * Revalidation of GETs: answers with an ETag are kept (per token) and the next GET of
   * the same URL sends `If-None-Match`; a 304 returns the kept copy. `false` turns it off.
   */
  httpCache?: EtagCacheOptions | false;
}

/** How a request is sent: `refresh: false` skips the token check (the refresh itself), `auth: false` the Authorization header. */
export interface SendOptions {
  refresh?: boolean;
  auth?: boolean;
}

/**
 * A Tandem client: records, auth, batch and realtime over one base URL. `C` maps
 * collection names to record types (`tandem typegen` writes it).
 */
// biome-ignore lint/complexity/noBannedTypes: `{}` is the empty collection map of an untyped client
export class TandemClient<C extends object = {}> {
  readonly baseUrl: string;
  readonly authStore: AuthStore;
  readonly transport: Transport;
  readonly realtime: RealtimeClient;
  /** File URLs and the tokens of protected files. */
  readonly files: FileService;
  readonly #fetch: typeof fetch | undefined;
  readonly #credentials: RequestCredentials | undefined;
  readonly #refresher: TokenRefresher;
  readonly #etags: EtagCache | undefined;

  constructor(baseUrl: string, options: ClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.authStore = options.authStore ?? defaultAuthStore();
    this.transport = options.transport ?? 'http';
    this.#fetch = options.fetch;
    this.#credentials = options.credentials;
    this.#refresher = new TokenRefresher(
      this.authStore,
      (refreshToken, collection) =>
        this.send(
          {
            method: 'POST',
            path: `/api/collections/${encodeURIComponent(collection)}/auth-refresh`,
            body: { refreshToken },
          },
          { refresh: false, auth: false },
        ),
      options.refreshMarginMs,
    );
    this.#etags = options.httpCache === false ? undefined : new EtagCache(options.httpCache);
    // A new sign-in (or a sign-out) forgets the copies kept for the previous one.
    this.authStore.onChange(() => (this.#refresher.schedule(), this.#etags?.clear()));
    this.#refresher.schedule();
    this.files = new FileService(this.baseUrl, (request) => this.send(request));
    this.realtime = new RealtimeClient(
      this.baseUrl,
      this.authStore,
      () => this.#refresher.ensureFresh(),
      options.realtime,
    );
  }

  /** The records of a collection, typed by the client's collection map. */
  collection<K extends keyof C & string>(name: K): RecordService<C[K]>;
  /** The records of a collection, typed as `T`. */
  collection<T = RecordModel>(name: string): RecordService<T>;
  collection(name: string): RecordService<unknown> {
    return new RecordService(this, name);
  }

  /** A batch of record writes that run in one transaction (`POST /api/batch`). */
  batch(): Batch {
    return new Batch(this);
  }

  /** `GET /api/health`. */
  health(options: RequestOptions = {}): Promise<HealthResponse> {
    return this.send({ method: 'GET', path: '/api/health', ...options });
  }

  /** Trades the held refresh token now; concurrent calls share one trade. */
  refreshAuth(): Promise<void> {
    return this.#refresher.refresh();
  }

  /** True when record requests should go over the open socket. */
  usesSocket(): boolean {
    return this.transport === 'auto' && this.realtime.isOpen;
  }

  /** Refreshes the token when it is about to expire; the socket transport calls it before a request. */
  ensureFreshAuth(): Promise<void> {
    return this.#refresher.ensureFresh();
  }

  /**
   * Sends a request with the client's credentials: `Authorization` from the store, the
   * CSRF header on writes in cookie-session mode, and one refresh-and-retry when an
   * authenticated request meets a 401 while a refresh token is held.
   */
  async send<T = unknown>(request: HttpRequest, options: SendOptions = {}): Promise<T> {
    if (options.refresh !== false) await this.#refresher.ensureFresh();
    const sentToken = this.authStore.state.token;
    try {
      return (await sendHttpRequest(
        this.#fetchFn(),
        this.baseUrl,
        this.#withCredentials(request, options.auth !== false),
        this.#revalidation(options.auth !== false),
      )) as T;
    } catch (error) {
      const retry =
        options.refresh !== false &&
        error instanceof ClientError &&
        error.status === 401 &&
        sentToken !== '' &&
        this.authStore.state.refreshToken !== '';
      if (!retry) throw error;
      if (this.authStore.state.token === sentToken) await this.#refresher.refresh();
      return (await sendHttpRequest(
        this.#fetchFn(),
        this.baseUrl,
        this.#withCredentials(request, options.auth !== false),
        this.#revalidation(options.auth !== false),
      )) as T;
    }
  }

  /** Closes the realtime socket and stops the refresh timer. */
  close(): void {
    this.realtime.disconnect();
    this.#refresher.stop();
  }

  #withCredentials(request: HttpRequest, auth: boolean): HttpRequest {
    const { token, csrfToken } = this.authStore.state;
    const headers: Record<string, string> = { ...request.headers };
    if (auth && token) headers.Authorization = token;
    if (csrfToken && isUnsafeMethod(request.method)) headers['X-CSRF-Token'] = csrfToken;
    const credentials = request.credentials ?? this.#credentials ?? (csrfToken ? 'include' : undefined);
    return { ...request, headers, credentials };
  }

  /** The ETag cache and the identity that scopes its keys: the token sent, else the cookie session. */
  #revalidation(auth: boolean): Revalidation | undefined {
    if (!this.#etags) return undefined;
    const { token, csrfToken } = this.authStore.state;
    const identity = auth && token ? `token:${token}` : csrfToken ? `session:${csrfToken}` : 'guest';
    return { cache: this.#etags, identity };
  }

  #fetchFn(): typeof fetch {
    return this.#fetch ?? globalThis.fetch.bind(globalThis);
  }
}

/**
 * Creates a Tandem client for a server's base URL.
 *
 * @example
 * import { createClient } from '@tandem/sdk';
 * import type { Collections } from './tandem-types.js';
 *
 * const client = createClient<Collections>('http://127.0.0.1:8090');
 * const page = await client.collection('posts').list(1, 20, { filter: 'published = true', sort: '-created' });
 */
// biome-ignore lint/complexity/noBannedTypes: as TandemClient
export function createClient<C extends object = {}>(baseUrl: string, options: ClientOptions = {}): TandemClient<C> {
  return new TandemClient<C>(baseUrl, options);
}

function defaultAuthStore(): AuthStore {
  // Browsers keep the sign-in across reloads; Node processes keep it in memory.
  const browser = typeof (globalThis as { document?: unknown }).document !== 'undefined';
  return browser && hasLocalStorage() ? new LocalStorageAuthStore() : new MemoryAuthStore();
}
