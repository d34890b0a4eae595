/**
 * Test-only: one WebSocket to Tandem's `/api/ws` at a time, for sending batches of
 * arbitrary frames and reading back what each batch earned.
 */
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { REALTIME_SUBPROTOCOL } from '@tandem/protocol';
import type { HostileFrame } from './hostile-frames.fixture.js';

/** A socket message as the test reads it; the server closing the socket is `{type: 'close', code}`. */
export type Answer = { type: string; status?: unknown; code?: unknown; [key: string]: unknown };

/**
 * One WebSocket at a time: sends a batch of frames and collects what comes back until
 * every text frame is answered (each gets exactly one answer; record events are extra)
 * or the server closed the socket, then opens a new one for the next batch.
 */
export class FuzzSocket {
  #ws: WebSocket | undefined;
  #answers: Answer[] = [];
  #wake: () => void = () => undefined;
  /** Sockets opened and welcomed so far. */
  welcomed = 0;

  constructor(private readonly origin: string) {}

  /** Sends `frames` and resolves with what came back meanwhile (a close included). */
  async exchange(frames: readonly HostileFrame[]): Promise<Answer[]> {
    const ws = await this.#open();
    const start = this.#answers.length;
    for (const frame of frames) ws.send(frame.data, { binary: frame.binary });
    const expected = frames.length;
    await this.#until(
      () => ws.readyState !== WebSocket.OPEN || this.#answers.slice(start).filter(isAnswer).length >= expected,
    );
    return this.#answers.slice(start);
  }

  close(): void {
    this.#ws?.terminate();
  }

  async #open(): Promise<WebSocket> {
    if (this.#ws?.readyState === WebSocket.OPEN) return this.#ws;
    const ws = new WebSocket(`${this.origin.replace(/^http/, 'ws')}/api/ws`, REALTIME_SUBPROTOCOL);
    this.#ws = ws;
    const before = this.#answers.length;
    ws.on('message', (data) => {
      this.#answers.push(parseAnswer(String(data)));
      this.#wake();
    });
    ws.on('close', (code) => {
      this.#answers.push({ type: 'close', code });
      this.#wake();
    });
    ws.on('error', () => this.#wake());
    await this.#until(
      () => ws.readyState > WebSocket.OPEN || this.#answers.slice(before).some((m) => m.type === 'welcome'),
    );
    assert.equal(ws.readyState, WebSocket.OPEN, 'the server accepts a new socket and welcomes it');
    this.welcomed++;
    return ws;
  }

  /** Resolves once `done()` holds; checked on every message, close and error (and at most every 5 s, so a silent server cannot hang the suite). */
  #until(done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(resolve, 5000);
      this.#wake = check;
      check();
    });
  }
}

/** Every message except pushed record events, the greeting and a close answers one frame. */
function isAnswer(message: Answer): boolean {
  return !['event', 'leave', 'welcome', 'close'].includes(message.type);
}

function parseAnswer(text: string): Answer {
  try {
    return JSON.parse(text) as Answer;
  } catch {
    return { type: 'unparsable', text };
  }
}
