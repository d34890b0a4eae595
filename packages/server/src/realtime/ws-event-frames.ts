import type { Delivery } from '@tandem/core';

/** The last event frame encoded, and what it was made of. */
interface EncodedFrame {
  readonly sub: string;
  readonly seq: number;
  readonly action: string;
  readonly recordJson: string;
  readonly bytes: Buffer;
}

let lastEventFrame: EncodedFrame | undefined;

/**
 * A delivery's frame as the UTF-8 bytes a socket sends. NB: the broker hands one change to
 * every subscriber in turn, and subscribers with the same view of the record share one
 * JSON string of it (see sharedPayload in core's realtime client); with the same
 * subscription id (clients mostly use the same few), their frames are the same bytes. The
 * last frame is kept, so that a fan-out to thousands of sockets builds and encodes the
 * frame once instead of once per socket (which ws would do for a string). The bytes are
 * never written to, so every socket may queue the same Buffer.
 */
export function encodedFrameOf(delivery: Delivery): Buffer {
  if (delivery.kind === 'leave')
    return Buffer.from(JSON.stringify({ type: 'leave', sub: delivery.sub, seq: delivery.seq, id: delivery.id }));
  const last = lastEventFrame;
  if (
    last !== undefined &&
    last.seq === delivery.seq &&
    last.sub === delivery.sub &&
    last.action === delivery.action &&
    last.recordJson === delivery.recordJson
  )
    return last.bytes;
  const bytes = Buffer.from(
    `{"type":"event","sub":${JSON.stringify(delivery.sub)},"seq":${delivery.seq},"action":"${delivery.action}","record":${delivery.recordJson}}`,
  );
  lastEventFrame = {
    sub: delivery.sub,
    seq: delivery.seq,
    action: delivery.action,
    recordJson: delivery.recordJson,
    bytes,
  };
  return bytes;
}
