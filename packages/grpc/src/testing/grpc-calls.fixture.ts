/**
 * Test-only: promise helpers over a reflected client's methods, and the pieces of a
 * status a test compares (code, catalog code, REST's error body).
 */
import { Metadata, type ServiceError } from '@grpc/grpc-js';

/** A unary answer: the message, or the status it failed with. */
export type Outcome<T = any> = { ok: true; value: T } | { ok: false; error: StatusSeen };

/** What a test reads of a failed call. */
export interface StatusSeen {
  readonly code: number;
  readonly details: string;
  /** `tandem-code`: the catalog code. */
  readonly tandemCode: string | undefined;
  /** `tandem-error-bin`: REST's error body. */
  readonly body: { status: number; message: string; data: Record<string, unknown>; code: string } | undefined;
  readonly metadata: Metadata;
}

/** Metadata with the token, the way REST sends it (raw unless `bearer`). */
export function auth(token: string | undefined, bearer = false): Metadata {
  const metadata = new Metadata();
  if (token !== undefined) metadata.set('authorization', bearer ? `Bearer ${token}` : token);
  return metadata;
}

/** Calls a unary method and settles with its outcome. */
export function unary<T = any>(
  client: Record<string, any>,
  method: string,
  request: Record<string, unknown>,
  metadata = new Metadata(),
  options: { deadline?: Date | number } = {},
): Promise<Outcome<T>> {
  return new Promise((resolve) =>
    client[method](request, metadata, options, (error: ServiceError | null, value: T) =>
      resolve(error ? { ok: false, error: statusSeen(error) } : { ok: true, value }),
    ),
  );
}

/** The parts of an error status a test compares. */
export function statusSeen(error: Pick<ServiceError, 'code' | 'details' | 'metadata'>): StatusSeen {
  const metadata = error.metadata ?? new Metadata();
  const [code] = metadata.get('tandem-code');
  const [body] = metadata.get('tandem-error-bin');
  return {
    code: error.code,
    details: error.details,
    tandemCode: typeof code === 'string' ? code : undefined,
    body: Buffer.isBuffer(body) ? JSON.parse(body.toString('utf8')) : undefined,
    metadata,
  };
}

/**
 * A Struct from a plain JSON object, as a client built from reflection sends it. NB:
 * protobuf.js reads map fields of a descriptor as repeated entries, so such a client
 * writes `fields` as `[{key, value}]`.
 */
export function struct(object: Record<string, unknown>): Record<string, unknown> {
  return { fields: Object.entries(object).map(([key, value]) => ({ key, value: structValue(value) })) };
}

function structValue(value: unknown): Record<string, unknown> {
  if (value === null) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(structValue) } };
  return { structValue: struct(value as Record<string, unknown>) };
}

/** A decoded Struct as a plain JSON object. */
export function plain(structMessage: any): Record<string, unknown> {
  const fields = structMessage?.fields ?? [];
  const entries: Array<[string, any]> = Array.isArray(fields)
    ? fields.map((entry: any) => [entry.key, entry.value])
    : Object.entries(fields);
  return Object.fromEntries(entries.map(([key, value]) => [key, plainValue(value)]));
}

function plainValue(value: any): unknown {
  switch (value.kind) {
    case 'numberValue':
      return value.numberValue;
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'structValue':
      return plain(value.structValue);
    case 'listValue':
      return (value.listValue.values ?? []).map(plainValue);
    default:
      return null;
  }
}

/** A Record message as REST's JSON record. */
export function recordJson(record: any): Record<string, unknown> {
  return {
    collectionId: record.collection_id,
    collectionName: record.collection_name,
    id: record.id,
    ...plain(record.data),
  };
}
