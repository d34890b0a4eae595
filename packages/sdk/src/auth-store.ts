import type { AuthState } from './auth-state.js';

/** Called with the new state whenever a store's state changes. */
export type AuthChangeListener = (state: AuthState) => void;

/**
 * Where a client keeps its credentials. Implement it to store them elsewhere (a
 * cookie, secure storage on mobile); MemoryAuthStore is the usual base class.
 */
export interface AuthStore {
  /** The current state; treat it as read-only. */
  readonly state: Readonly<AuthState>;
  /** Replaces the state and notifies the listeners. */
  save(state: AuthState): void;
  /** Signs out locally: the empty state, then the listeners. */
  clear(): void;
  /** Registers a listener; returns the function that removes it. */
  onChange(listener: AuthChangeListener): () => void;
}
