import type { AuthStore } from './auth-store.js';
import { ClientError } from './client-error.js';
import { decodeJwtExp, isTokenExpiring } from './jwt-exp.js';
import { singleFlight } from './single-flight.js';

/** Trades a refresh token for a new access token and a rotated refresh token. */
export type RefreshExchange = (
  refreshToken: string,
  collection: string,
) => Promise<{ token: string; refreshToken?: string; record: unknown }>;

/** Answers of auth-refresh that mean the refresh token is gone for good. */
const DEAD_REFRESH_CODES = new Set(['AUTH_REFRESH_REUSED', 'AUTH_REFRESH_INVALID']);

/**
 * Keeps the access token fresh when the store holds a refresh token: trades it
 * `marginMs` before the access token expires, on a timer and before any request that
 * finds the token expiring. Concurrent callers share one trade (rotation allows one
 * use of each refresh token). A refresh token the server calls reused or invalid
 * clears the store: the user is signed out.
 */
export class TokenRefresher {
  readonly #store: AuthStore;
  readonly #exchange: RefreshExchange;
  readonly #marginMs: number;
  readonly #refreshOnce: () => Promise<void>;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(store: AuthStore, exchange: RefreshExchange, marginMs = 60_000) {
    this.#store = store;
    this.#exchange = exchange;
    this.#marginMs = marginMs;
    this.#refreshOnce = singleFlight(() => this.#trade());
  }

  /** True when a refresh token is held and the access token is within the margin of its expiry. */
  needsRefresh(): boolean {
    const { token, refreshToken } = this.#store.state;
    return refreshToken !== '' && (token === '' || isTokenExpiring(token, this.#marginMs));
  }

  /** Refreshes first when needed; a failed trade leaves the request to go out with what the store has. */
  async ensureFresh(): Promise<void> {
    if (!this.needsRefresh()) return;
    await this.#refreshOnce().catch(() => undefined);
  }

  /** Trades the refresh token now (joining a trade in flight); rejects with its ClientError. */
  refresh(): Promise<void> {
    return this.#refreshOnce();
  }

  /** Arms the timer for the current token; call after every store change. */
  schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const { token, refreshToken } = this.#store.state;
    const exp = decodeJwtExp(token);
    if (refreshToken === '' || exp === undefined) return;
    const delay = Math.max(0, exp * 1000 - this.#marginMs - Date.now());
    // setTimeout overflows past 2^31-1 ms; a refresh that far out is armed by a later change.
    if (delay > 2_147_483_647) return;
    this.#timer = setTimeout(() => void this.ensureFresh(), delay);
    // In Node a pending refresh must not keep the process alive.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Stops the timer. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #trade(): Promise<void> {
    const state = this.#store.state;
    const collection = state.record?.collectionName ?? state.record?.collectionId;
    if (!state.refreshToken || !collection) return;
    try {
      const answer = await this.#exchange(state.refreshToken, collection);
      // A sign-out or another sign-in during the trade wins over its answer.
      if (this.#store.state.refreshToken !== state.refreshToken) return;
      this.#store.save({
        ...this.#store.state,
        token: answer.token,
        record: answer.record as typeof state.record,
        refreshToken: answer.refreshToken ?? state.refreshToken,
      });
    } catch (error) {
      if (
        error instanceof ClientError &&
        error.status === 401 &&
        DEAD_REFRESH_CODES.has(error.code) &&
        this.#store.state.refreshToken === state.refreshToken
      ) {
        this.#store.clear();
      }
      throw error;
    }
  }
}
