import type { AuthResponse, SignInOptions } from './auth-response.js';
import type { RequestOptions } from './http-request.js';
import { RecordCrud } from './record-crud.js';
import type { RealtimeEvent, SubscribeOptions } from './realtime-subscription.js';

/**
 * The API of one collection: records (see RecordCrud), realtime subscriptions and,
 * for auth collections, the sign-in flows that fill the client's AuthStore.
 *
 * @example
 * const users = client.collection('users');
 * await users.authWithPassword('ada@example.com', 'a long passphrase', { refreshToken: true });
 * const posts = await client.collection('posts').list(1, 20, { expand: 'author' });
 */
export class RecordService<T> extends RecordCrud<T> {
  /**
   * Calls `callback` for every change to the collection (`topic` `*`) or to one record
   * (`topic` = its id) that the caller may see. Resolves, once the server confirmed,
   * with the function that ends the subscription.
   */
  subscribe(
    topic: '*' | (string & {}),
    callback: (event: RealtimeEvent<T>) => void,
    options: SubscribeOptions = {},
  ): Promise<() => Promise<void>> {
    return this.client.realtime.subscribe<T>(`${this.collectionName}/${topic}`, callback, options);
  }

  /** Signs in with an identity (email by default) and a password; saves the answer in the AuthStore. */
  authWithPassword(identity: string, password: string, options: SignInOptions = {}): Promise<AuthResponse<T>> {
    const { signal, ...flags } = options;
    return this.#signIn('auth-with-password', { identity, password, ...flags }, flags.session, signal);
  }

  /** Signs in with the one-time code mailed by requestOtp. */
  authWithOtp(otpId: string, password: string, options: SignInOptions = {}): Promise<AuthResponse<T>> {
    const { signal, ...flags } = options;
    return this.#signIn('auth-with-otp', { otpId, password, ...flags }, flags.session, signal);
  }

  /** Mails a one-time code; resolves with the `otpId` to pass to authWithOtp. */
  requestOtp(email: string, options: RequestOptions = {}): Promise<{ otpId: string }> {
    return this.client.send({ method: 'POST', path: this.#authPath('request-otp'), body: { email }, ...options });
  }

  /**
   * Renews the sign-in: trades the held refresh token (rotation) when there is one,
   * else refreshes the access token itself (PocketBase's auth-refresh).
   */
  async authRefresh(options: RequestOptions = {}): Promise<AuthResponse<T>> {
    const { refreshToken } = this.client.authStore.state;
    if (refreshToken) {
      await this.client.refreshAuth();
      const { token, record, refreshToken: rotated, csrfToken } = this.client.authStore.state;
      return { token, record: record as T, refreshToken: rotated, ...(csrfToken ? { csrfToken } : {}) };
    }
    return this.#save(
      await this.client.send<AuthResponse<T>>({ method: 'POST', path: this.#authPath('auth-refresh'), ...options }),
      true,
    );
  }

  /** Mails a verification link (answers the same for unknown emails). */
  async requestVerification(email: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send({
      method: 'POST',
      path: this.#authPath('request-verification'),
      body: { email },
      ...options,
    });
  }

  /** Confirms an email with the token from the verification mail. */
  async confirmVerification(token: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send({
      method: 'POST',
      path: this.#authPath('confirm-verification'),
      body: { token },
      ...options,
    });
  }

  /** Mails a password-reset link (answers the same for unknown emails). */
  async requestPasswordReset(email: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send({
      method: 'POST',
      path: this.#authPath('request-password-reset'),
      body: { email },
      ...options,
    });
  }

  /** Sets a new password with the token from the reset mail; every existing sign-in of the record ends. */
  async confirmPasswordReset(
    token: string,
    password: string,
    passwordConfirm: string,
    options: RequestOptions = {},
  ): Promise<void> {
    await this.client.send({
      method: 'POST',
      path: this.#authPath('confirm-password-reset'),
      body: { token, password, passwordConfirm },
      ...options,
    });
  }

  /** Ends this sign-in on the server (its refresh-token family and cookie session), then clears the AuthStore. */
  async logout(options: RequestOptions = {}): Promise<void> {
    const { refreshToken } = this.client.authStore.state;
    try {
      await this.client.send({
        method: 'POST',
        path: this.#authPath('auth-logout'),
        body: refreshToken ? { refreshToken } : {},
        ...options,
      });
    } finally {
      this.client.authStore.clear();
    }
  }

  /** Signs the record out on every device, then clears the AuthStore. */
  async logoutEverywhere(options: RequestOptions = {}): Promise<void> {
    try {
      await this.client.send({ method: 'POST', path: this.#authPath('auth-logout-all'), ...options });
    } finally {
      this.client.authStore.clear();
    }
  }

  async #signIn(
    endpoint: string,
    body: Record<string, unknown>,
    session: boolean | undefined,
    signal: AbortSignal | undefined,
  ): Promise<AuthResponse<T>> {
    const request = { method: 'POST' as const, path: this.#authPath(endpoint), body, ...(signal ? { signal } : {}) };
    // The session cookie is set on this answer: a cross-origin page must let fetch keep it.
    const answer = await this.client.send<AuthResponse<T>>(session ? { ...request, credentials: 'include' } : request, {
      auth: false,
    });
    return this.#save(answer, false);
  }

  /** Stores an auth answer; a renewal (`renewing`) keeps the refresh token and session of the sign-in it renews. */
  #save(answer: AuthResponse<T>, renewing: boolean): AuthResponse<T> {
    const previous = this.client.authStore.state;
    this.client.authStore.save({
      token: answer.token,
      record: answer.record as never,
      refreshToken: answer.refreshToken ?? (renewing ? previous.refreshToken : ''),
      csrfToken: answer.csrfToken ?? (renewing ? previous.csrfToken : ''),
    });
    return answer;
  }

  #authPath(endpoint: string): string {
    return `/api/collections/${encodeURIComponent(this.collectionName)}/${endpoint}`;
  }
}
