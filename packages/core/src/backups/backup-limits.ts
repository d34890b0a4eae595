/** The bounds a backup archive must keep to be uploaded or restored; docs/backups.md lists the defaults. */
export interface BackupLimits {
  /** The largest archive an upload may carry, in bytes (413 past it, checked while it streams). */
  readonly maxArchiveBytes: number;
  /** Entries (files and folders) one archive may hold. */
  readonly maxEntries: number;
  /** Bytes of all entries once unpacked. */
  readonly maxUnpackedBytes: number;
  /** How many times larger than its packed size one entry may unpack (a zip bomb packs ~1000:1). */
  readonly maxCompressionRatio: number;
}

/** Tandem's defaults: room for a few gigabytes of data, none for a zip bomb. */
export const defaultBackupLimits: BackupLimits = Object.freeze({
  maxArchiveBytes: 4 * 1024 ** 3,
  maxEntries: 1_000_000,
  maxUnpackedBytes: 16 * 1024 ** 3,
  maxCompressionRatio: 200,
});
