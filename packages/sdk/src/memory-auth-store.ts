import type { RecordModel } from '@tandem/protocol';
import { emptyAuthState, type AuthState } from './auth-state.js';
import type { AuthChangeListener, AuthStore } from './auth-store.js';
import { isTokenExpiring } from './jwt-exp.js';

/**
 * An AuthStore that keeps the state in memory (the default: nothing outlives the
 * process or the page).
 *
 * @example
 * const store = new MemoryAuthStore();
 * const client = createClient('http://127.0.0.1:8090', { authStore: store });
 * store.onChange((state) => console.log('signed in as', state.record?.id));
 */
export class MemoryAuthStore implements AuthStore {
  #state: AuthState;
  readonly #listeners = new Set<AuthChangeListener>();

  constructor(initial: Partial<AuthState> = {}) {
    this.#state = { ...emptyAuthState(), ...initial };
  }

  get state(): Readonly<AuthState> {
    return this.#state;
  }

  get token(): string {
    return this.#state.token;
  }

  get record(): RecordModel | null {
    return this.#state.record;
  }

  get refreshToken(): string {
    return this.#state.refreshToken;
  }

  get csrfToken(): string {
    return this.#state.csrfToken;
  }

  /** True when a token is held and has not expired (a refresh token may still renew an expired one). */
  get isValid(): boolean {
    return this.#state.token !== '' && !isTokenExpiring(this.#state.token, 0);
  }

  save(state: AuthState): void {
    this.#state = { ...state };
    this.persist(this.#state);
    for (const listener of [...this.#listeners]) listener(this.#state);
  }

  clear(): void {
    this.save(emptyAuthState());
  }

  onChange(listener: AuthChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Hook for subclasses that keep a copy elsewhere; called before the listeners. */
  protected persist(_state: AuthState): void {}
}
