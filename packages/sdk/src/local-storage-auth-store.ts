import { emptyAuthState, type AuthState } from './auth-state.js';
import { MemoryAuthStore } from './memory-auth-store.js';

/** The part of the Web Storage API the store uses. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The key under which the state is kept unless another is given. */
export const defaultAuthStorageKey = 'tandem_auth';

/**
 * An AuthStore kept in `localStorage` (or any KeyValueStorage), so a page reload keeps
 * the user signed in. NB: anything in localStorage is readable by scripts on the page;
 * cookie sessions keep the credential out of reach of scripts.
 *
 * @example
 * const client = createClient('https://api.example.com', { authStore: new LocalStorageAuthStore() });
 */
export class LocalStorageAuthStore extends MemoryAuthStore {
  readonly #storage: KeyValueStorage;
  readonly #key: string;

  constructor(storage: KeyValueStorage = globalThis.localStorage, key = defaultAuthStorageKey) {
    super(readState(storage, key));
    this.#storage = storage;
    this.#key = key;
  }

  protected override persist(state: AuthState): void {
    if (state.token === '' && state.refreshToken === '' && state.csrfToken === '') this.#storage.removeItem(this.#key);
    else this.#storage.setItem(this.#key, JSON.stringify(state));
  }
}

function readState(storage: KeyValueStorage, key: string): AuthState {
  try {
    const parsed = JSON.parse(storage.getItem(key) ?? 'null') as Partial<AuthState> | null;
    if (!parsed || typeof parsed !== 'object') return emptyAuthState();
    return {
      token: typeof parsed.token === 'string' ? parsed.token : '',
      record: parsed.record && typeof parsed.record === 'object' ? parsed.record : null,
      refreshToken: typeof parsed.refreshToken === 'string' ? parsed.refreshToken : '',
      csrfToken: typeof parsed.csrfToken === 'string' ? parsed.csrfToken : '',
    };
  } catch {
    // A corrupt entry means signed out, never a crash at start.
    return emptyAuthState();
  }
}

/** True when the runtime has a usable localStorage (browsers; not Node). */
export function hasLocalStorage(): boolean {
  try {
    return typeof globalThis.localStorage?.getItem === 'function';
  } catch {
    return false;
  }
}
