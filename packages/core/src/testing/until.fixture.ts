/** Test-only: waiting for something another process or the event loop does. */
import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `check` every 20 ms until it holds or `timeoutMs` passed; answers whether it held. */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  for (let waited = 0; waited < timeoutMs; waited += 20) {
    if (check()) return true;
    await sleep(20);
  }
  return check();
}
