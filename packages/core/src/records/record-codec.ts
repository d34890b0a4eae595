import { zeroGeoPoint } from '../schema/fields/geo-point-field.js';
import type { Collection, FieldDef } from '../schema/collection.js';
import { columnKindOf } from '../schema/field-storage.js';
import { column, join, type Sql } from '../sql/sql.js';
import type { Dialect } from '../store/dialect.js';
import type { Row } from '../store/store.js';
import type { RecordData } from '../schema/principal.js';

import type { RecordModel } from '@tandem/protocol';

/** A record as served in JSON (the protocol's RecordModel). */
export type RecordJson = RecordModel;

/**
 * Converts between a collection's rows and records. Built once per collection
 * definition and reused, since it sits on every request's path.
 */
export interface RecordCodec {
  /** The column list `"t"."id", "t"."title", …` for SELECTs from alias `t`. */
  selectColumns(alias: string): Sql;
  /** A database row → JS values. */
  fromRow(row: Row): RecordData;
  /** A field value → the value bound for its column. */
  toColumn(field: FieldDef, value: unknown): unknown;
  /**
   * A record → its JSON, hiding hidden fields unless `showHidden`. On auth records the
   * password hash and tokenKey never appear, and `email` only for superusers, the owner
   * (`viewerId`) or when `emailVisibility` is on.
   */
  toJson(record: RecordData, showHidden: boolean, viewerId?: string): RecordJson;
  /**
   * The record that reading back a row just written with `values` would give, or
   * undefined when only a real read-back can tell (see Dialect.readBack).
   */
  storedRecord(values: RecordData): RecordData | undefined;
}

/** Builds the codec of a collection for one dialect. */
export function createRecordCodec(collection: Collection, dialect: Dialect): RecordCodec {
  const fields = collection.fields.map((field) => ({ field, name: field.name, kind: columnKindOf(field) }));
  const selectCache = new Map<string, Sql>();
  const isAuth = collection.type === 'auth';
  // Secrets of auth records: not even a superuser reads them through the API.
  const others = fields.filter((f) => f.name !== 'id');
  const geoPoints = others.filter((f) => f.field.type === 'geoPoint');
  const served = others.filter((f) => !(isAuth && (f.field.type === 'password' || f.name === 'tokenKey')));
  return {
    selectColumns(alias) {
      let columns = selectCache.get(alias);
      if (!columns) selectCache.set(alias, (columns = join(fields.map((f) => column(alias, f.name)))));
      return columns;
    },
    fromRow(row) {
      const record: Record<string, unknown> = { id: row.id };
      for (const f of others) record[f.name] = dialect.fromColumn(f.kind, row[f.name]);
      // A geoPoint column added to a table with rows holds NULL there: PocketBase's default is (0, 0).
      for (const f of geoPoints) record[f.name] ??= zeroGeoPoint();
      return record as RecordData;
    },
    toColumn: (field, value) => dialect.toColumn(columnKindOf(field), value),
    toJson(record, showHidden, viewerId) {
      const json: Record<string, unknown> = {
        collectionId: collection.id,
        collectionName: collection.name,
        id: record.id,
      };
      for (const f of served) if (showHidden || !f.field.hidden) json[f.name] = record[f.name];
      if (isAuth && !showHidden && record.emailVisibility !== true && record.id !== viewerId) delete json.email;
      return json as RecordJson;
    },
    storedRecord(values) {
      const record: Record<string, unknown> = {};
      for (const f of fields) {
        const stored = dialect.readBack(f.kind, values[f.name]);
        if (!stored) return undefined;
        record[f.name] = stored.value;
      }
      return record as RecordData;
    },
  };
}
