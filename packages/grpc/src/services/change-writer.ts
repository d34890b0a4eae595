import { Metadata, status as GrpcCode, type ServerWritableStream } from '@grpc/grpc-js';
import { BacklogBound, type BacklogLimits, type Delivery } from '@tandem/core';
import { encodedChange, type ChangeEncoder, type ChangeMessage } from './change-encoding.js';

export type { ChangeMessage } from './change-encoding.js';

// What a leave or reset costs in the send buffer: a few dozen bytes of framing and id.
const SMALL_MESSAGE_BYTES = 64;

/**
 * Writes one Watch stream's changes: in `seq` order and each once (the broker may hand a
 * change twice where a replay meets the live stream), held while a resume decides
 * between replay and reset, and bounded: a client that does not keep up with its unsent
 * changes (see BacklogBound) is cut off with RESOURCE_EXHAUSTED and resumes from its last seq.
 */
export class ChangeWriter {
  readonly #call: ServerWritableStream<unknown, ChangeMessage>;
  readonly #backlog: BacklogBound;
  readonly #onCutOff: () => void;
  readonly #encode: ChangeEncoder;
  #lastSeq: number;
  #bufferedBytes = 0;
  #held: Delivery[] | undefined;
  /** A replay waiting for the unsent changes to fall back under the bound (see `room`). */
  #waiting: Array<() => void> = [];
  #ended = false;
  /** The call was cancelled or closed: its pending writes may never call back. */
  #gone = false;

  constructor(
    call: ServerWritableStream<unknown, ChangeMessage>,
    options: { since: number; backlog: BacklogLimits; onCutOff: () => void; encode: ChangeEncoder },
  ) {
    this.#call = call;
    this.#lastSeq = options.since;
    this.#backlog = new BacklogBound(options.backlog);
    this.#onCutOff = options.onCutOff;
    this.#encode = options.encode;
    // A cancelled call takes no more writes, so their callbacks may never come: whoever
    // waits for room is woken, and whoever asks later is not made to wait.
    call.once('cancelled', () => this.#leave());
    call.once('close', () => this.#leave());
  }

  /**
   * While more than the bound waits unsent: settles once it is back under it, or the
   * stream ended. Undefined (go on) when under the bound, ended, or the call is gone.
   */
  room(): Promise<void> | undefined {
    if (this.#ended || this.#gone || this.#backlog.within(this.#bufferedBytes)) return undefined;
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Holds deliveries until `replaying` or `release`: a resume has not yet said whether it replays or resets. */
  hold(): void {
    this.#held = [];
  }

  /** The resume's replay begins (no reset): what was held comes again in it, so it is dropped, not sent out of order. */
  replaying(): void {
    this.#held = undefined;
  }

  /**
   * Ends holding: a `reset` first when the resume answered one, then what was held. After
   * a reset the stream goes on from its `seq`, which is below `since` when `since` was
   * past everything the database logged: changes are then new whatever `since` said.
   */
  release(reset: { seq: number } | undefined): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    if (reset) {
      this.#lastSeq = reset.seq;
      this.#write({ action: 'reset', seq: String(reset.seq), record: null }, SMALL_MESSAGE_BYTES, reset.seq);
    }
    for (const delivery of held) this.send(delivery);
  }

  /** The broker's sink: one delivery for the one subscription of the stream. */
  send(delivery: Delivery): void {
    if (this.#held) return void this.#held.push(delivery);
    if (delivery.seq <= this.#lastSeq) return;
    if (delivery.kind === 'leave')
      return this.#write({ action: 'leave', seq: String(delivery.seq), record: { id: delivery.id } }, 64, delivery.seq);
    const bytes = encodedChange(delivery, this.#encode);
    this.#write(bytes, bytes.length, delivery.seq);
  }

  /** Ends the stream with a status (revoked credentials, shutdown, a failure). */
  fail(code: GrpcCode, details: string, metadata = new Metadata()): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#wake();
    this.#call.emit('error', { code, details, metadata });
  }

  /** Writes a change, as a message or as its encoded bytes (see withPreencodedResponses). */
  #write(message: ChangeMessage | Buffer, bytes: number, seq: number): void {
    if (this.#ended) return;
    this.#lastSeq = Math.max(this.#lastSeq, seq);
    // Judged on what waits before this change: one change of any size, and the ones right after it, go out.
    if (!this.#backlog.admits(this.#bufferedBytes)) {
      this.#onCutOff();
      return this.fail(
        GrpcCode.RESOURCE_EXHAUSTED,
        'The client did not keep up with its changes; resume from its last seq.',
      );
    }
    this.#bufferedBytes += bytes;
    this.#call.write(message as ChangeMessage, () => {
      this.#bufferedBytes -= bytes;
      if (this.#backlog.within(this.#bufferedBytes)) this.#wake();
    });
  }

  #leave(): void {
    this.#gone = true;
    this.#wake();
  }

  #wake(): void {
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}
