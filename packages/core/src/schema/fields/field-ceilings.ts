/**
 * The hard ceilings of field values: whatever a definition says (or leaves unset), no
 * value past these is looked at further, so the work a write does per field stays
 * bounded. docs/limits.md lists them.
 */

/** The largest `max` of a text field, in characters (code points). Unset `max` means 5,000. */
export const TEXT_MAX_CEILING = 1_000_000;

/** The largest `maxSize` of a json field, in bytes of serialized JSON. Unset means 1 MiB. */
export const JSON_MAX_SIZE_CEILING = 16 * 1024 * 1024;

/** The largest `maxSize` of an editor field, in UTF-8 bytes. Unset means 5 MiB, as PocketBase. */
export const EDITOR_MAX_SIZE_CEILING = 16 * 1024 * 1024;

/**
 * The most items a select or relation value (or a `+`/`-` modifier) may list, before
 * duplicates are dropped; also the largest `maxSelect` and the most `values` of a select.
 */
export const MAX_LIST_VALUES = 1000;

/**
 * The most values (objects, arrays, strings, numbers…) one json field value may hold.
 * A parsed copy of many small objects takes many times the bytes of its text, and a
 * stored value is copied a few times on its way (storage, change log, realtime).
 */
export const MAX_JSON_FIELD_VALUES = 100_000;

/** The most files one file field may hold (its largest `maxSelect`). */
export const MAX_FILES_PER_FIELD = 100;

/** The largest `maxSize` of a file field: 5 GiB, S3's largest single PUT. Unset means 5 MiB, as PocketBase. */
export const FILE_MAX_SIZE_CEILING = 5 * 1024 * 1024 * 1024;

/** A file field's `maxSize` when unset (PocketBase's default). */
export const DEFAULT_FILE_MAX_SIZE = 5 * 1024 * 1024;
