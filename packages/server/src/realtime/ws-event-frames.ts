import type { Delivery } from '@tandem/core';

/** The last event frame encoded, and what it was made of. */
interface EncodedFrame {
  readonly sub: string;
  readonly seq: number;
  readonly action: string;
  readonly recordJson: string;
  /** The whole WebSocket frame: header, then the message's UTF-8 bytes. */
  readonly wire: Buffer;
}

let lastEventFrame: EncodedFrame | undefined;

/**
 * A delivery as the whole WebSocket frame a socket sends: an unmasked, unfragmented text
 * frame (RFC 6455 §5.2, as a server sends it), header and message in one Buffer.
 *
 * NB: the broker hands one change to every subscriber in turn, and subscribers with the
 * same view of the record share one JSON string of it (see sharedPayload in core's
 * realtime client); with the same subscription id (clients mostly use the same few),
 * their frames are the same bytes. The last frame is kept, so that a fan-out to
 * thousands of sockets builds, encodes and frames the message once, and each socket
 * takes one write of shared bytes (see serveConnection), where `ws.send` would make a
 * header and write two pieces per socket. The bytes are never written to, so every
 * socket may queue the same Buffer.
 */
export function wireFrameOf(delivery: Delivery): Buffer {
  if (delivery.kind === 'leave')
    return textFrame(JSON.stringify({ type: 'leave', sub: delivery.sub, seq: delivery.seq, id: delivery.id }));
  const last = lastEventFrame;
  if (
    last !== undefined &&
    last.seq === delivery.seq &&
    last.sub === delivery.sub &&
    last.action === delivery.action &&
    last.recordJson === delivery.recordJson
  )
    return last.wire;
  const wire = textFrame(
    `{"type":"event","sub":${JSON.stringify(delivery.sub)},"seq":${delivery.seq},"action":"${delivery.action}","record":${delivery.recordJson}}`,
  );
  lastEventFrame = {
    sub: delivery.sub,
    seq: delivery.seq,
    action: delivery.action,
    recordJson: delivery.recordJson,
    wire,
  };
  return wire;
}

/** FIN and the text opcode: a whole text message in one frame. */
const FIN_TEXT = 0x81;
/** Payload lengths up to this fit the header's 7 bits. */
const SHORT_LENGTH = 125;
/** Marks a 16-bit length after the header's first two bytes, then a 64-bit one. */
const LENGTH_16 = 126;
const LENGTH_64 = 127;

/** `text` as one unmasked WebSocket text frame (RFC 6455 §5.2): the header, then its UTF-8 bytes. */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const header = length <= SHORT_LENGTH ? 2 : length <= 0xffff ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = FIN_TEXT;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = LENGTH_16;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = LENGTH_64;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.write(text, header, 'utf8');
  return frame;
}
