import type { WebSocket } from 'ws';
import type { BodyBudget, Reservation } from '../edge/body-budget.js';

/** Runs the work of one message once the budget holds its bytes. */
export type MessageGate = (bytes: number, exempt: boolean, work: () => Promise<void>) => Promise<void>;

/**
 * Admits a socket's messages into the shared body budget, as HTTP bodies are: a message
 * is parsed only once its bytes are held, and they are given back when it is answered.
 * While a message waits the socket is paused, so its sender is slowed by TCP
 * backpressure; messages keep their order (the budget is first come, first served).
 * Exempt messages (a superuser's) run at once. Everything held is given back when the
 * socket closes.
 */
export function createMessageGate(socket: WebSocket, budget: BodyBudget): MessageGate {
  const held = new Set<Reservation>();
  let waiting = 0;
  socket.once('close', () => {
    for (const reservation of held) reservation.release();
  });
  return async (bytes, exempt, work) => {
    if (exempt) return work();
    const reservation = budget.reserve(bytes);
    held.add(reservation);
    try {
      if (!reservation.isGranted()) {
        if (waiting++ === 0) socket.pause();
        const granted = await reservation.granted;
        if (--waiting === 0) socket.resume();
        if (!granted) return;
      }
      await work();
    } finally {
      held.delete(reservation);
      reservation.release();
    }
  };
}
