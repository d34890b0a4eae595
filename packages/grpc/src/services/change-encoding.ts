import type { Delivery } from '@tandem/core';
import { toRecordMessage, type RecordMessage } from './record-message.js';

/** `tandem.v1.Change`. */
export interface ChangeMessage {
  readonly action: string;
  readonly seq: string;
  readonly record: RecordMessage | Pick<RecordMessage, 'id'> | null;
}

/** Encodes a Change as the Watch method's response serializer does. */
export type ChangeEncoder = (change: ChangeMessage) => Buffer;

type EventDelivery = Extract<Delivery, { kind: 'event' }>;

/** The last change encoded, and what it was made of. */
let lastEncoded:
  | {
      readonly encode: ChangeEncoder;
      readonly seq: number;
      readonly action: string;
      readonly recordJson: string;
      readonly bytes: Buffer;
    }
  | undefined;

/**
 * A change event as the bytes of its `tandem.v1.Change` message.
 *
 * NB: the broker hands one change to every subscriber in turn, and subscribers with the
 * same view of the record share one JSON string of it. The last message encoded is kept,
 * so that a fan-out to thousands of Watch streams builds the Struct and encodes it once
 * (as the WebSocket frames an event once: see wireFrameOf), where each stream made and
 * encoded its own. The bytes pass through the response serializer as they are
 * (withPreencodedResponses) and are never written to, so every stream may queue them.
 */
export function encodedChange(delivery: EventDelivery, encode: ChangeEncoder): Buffer {
  const last = lastEncoded;
  if (
    last !== undefined &&
    last.seq === delivery.seq &&
    last.action === delivery.action &&
    last.recordJson === delivery.recordJson &&
    last.encode === encode
  )
    return last.bytes;
  const change = { action: delivery.action, seq: String(delivery.seq), record: toRecordMessage(delivery.record) };
  const bytes = encode(change);
  lastEncoded = { encode, seq: delivery.seq, action: delivery.action, recordJson: delivery.recordJson, bytes };
  return bytes;
}
