import { toStruct, type StructMessage } from '../proto/struct-value.js';

/** `tandem.v1.Record`: the system keys apart, everything else of the REST answer in `data`. */
export interface RecordMessage {
  readonly id: string;
  readonly collection_id: string;
  readonly collection_name: string;
  readonly data: StructMessage;
}

/** A record as REST answers it (after expand and the fields picker), as a Record message. */
export function toRecordMessage(json: unknown): RecordMessage {
  const { id, collectionId, collectionName, ...data } = json as Record<string, unknown>;
  return {
    id: typeof id === 'string' ? id : '',
    collection_id: typeof collectionId === 'string' ? collectionId : '',
    collection_name: typeof collectionName === 'string' ? collectionName : '',
    data: toStruct(data),
  };
}

/**
 * REST's query parameters from a request's fields: text as is, numbers and flags as
 * REST's text would carry them; empty, zero and false mean absent.
 */
export function toQuery(values: Record<string, string | number | boolean | undefined>): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(values))
    if (value !== undefined && value !== '' && value !== 0 && value !== false) query[key] = String(value);
  return query;
}
