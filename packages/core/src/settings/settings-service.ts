import { AppError } from '../errors/app-error.js';
import { ident, sql } from '../sql/sql.js';
import type { Store } from '../store/store.js';
import { createMutex } from '../store/mutex.js';
import { formatDate } from '../schema/fields/date-format.js';
import { defaultSettings, redactSettings, resolveSettings, type Settings } from './settings-schema.js';

/** The table of stored parameters: one JSON value per key. */
export const PARAMS_TABLE = '_params';
const SETTINGS_KEY = 'settings';

/**
 * Keeps the application settings: stored as one JSON value in `_params`, validated and
 * filled with defaults, and held in memory as a frozen snapshot that requests read
 * without touching the database. Listeners hear about every change.
 * @example const settings = new SettingsService(store); await settings.load(); settings.get().batch.maxRequests
 */
export class SettingsService {
  readonly #store: Store;
  readonly #writes = createMutex();
  #current: Settings = defaultSettings;
  #listeners = new Set<(settings: Settings) => void>();
  #announce: (() => Promise<void>) | undefined;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Creates `_params` if needed and loads the stored settings over the defaults. */
  async load(): Promise<Settings> {
    await this.#store.exec(
      `CREATE TABLE IF NOT EXISTS "${PARAMS_TABLE}" ("key" TEXT PRIMARY KEY NOT NULL, "value" TEXT NOT NULL, "updated" TEXT NOT NULL)`,
    );
    return this.#read();
  }

  async #read(): Promise<Settings> {
    const row = await this.#store.first<{ value: string }>(
      sql`SELECT "value" FROM ${ident(PARAMS_TABLE)} WHERE "key" = ${SETTINGS_KEY}`,
    );
    try {
      this.#current = row ? resolveSettings(defaultSettings, JSON.parse(row.value)) : defaultSettings;
    } catch (error) {
      const detail = error instanceof AppError ? JSON.stringify(error.data) : (error as Error).message;
      throw new AppError('SETTINGS_INVALID', `The stored settings are invalid: ${detail}`);
    }
    return this.#current;
  }

  /** The current settings, secrets included (frozen; never serve it as is). */
  get(): Settings {
    return this.#current;
  }

  /** The current settings with secrets replaced by "", for clients. */
  redacted(): Settings {
    return redactSettings(this.#current);
  }

  /**
   * Applies a partial update (see resolveSettings), stores it and tells the listeners.
   * Throws SETTINGS_INVALID (400) and changes nothing when the result is invalid.
   */
  update(patch: unknown): Promise<Settings> {
    return this.#writes.run(async () => {
      const next = resolveSettings(this.#current, patch);
      const value = JSON.stringify(next);
      await this.#store.run(sql`INSERT INTO ${ident(PARAMS_TABLE)} ("key", "value", "updated") VALUES (${SETTINGS_KEY}, ${value}, ${formatDate(new Date())})
        ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value", "updated" = excluded."updated"`);
      this.#current = next;
      for (const listener of this.#listeners) listener(next);
      await this.#announce?.();
      return next;
    });
  }

  /**
   * Awaits `announce` after each change this service made, before `update` resolves: a
   * cluster tells its other instances there (cluster/cluster-announcer.ts).
   */
  announceChangesWith(announce: () => Promise<void>): void {
    this.#announce = announce;
  }

  /**
   * Loads the stored settings again (another instance changed them) and, when they
   * differ from the ones in memory, tells the listeners.
   */
  refresh(): Promise<Settings> {
    return this.#writes.run(async () => {
      const before = JSON.stringify(this.#current);
      const next = await this.#read();
      if (JSON.stringify(next) !== before) for (const listener of this.#listeners) listener(next);
      return next;
    });
  }

  /** Calls `listener` with the new settings after every change; returns an unsubscribe. */
  onChange(listener: (settings: Settings) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
