import type { Executor } from '../store/store.js';
import { storeOverTransaction } from '../store/transaction-store.js';
import { RefreshTokenService } from './refresh-tokens.js';
import { SessionService } from './session-store.js';

/**
 * Revokes every refresh token and cookie session of one auth record inside the caller's
 * transaction, so a password change, reset, email change, logout-everywhere or delete
 * and the revocation commit together or not at all.
 */
export async function revokeCredentials(tx: Executor, collectionId: string, recordId: string): Promise<void> {
  const store = storeOverTransaction(tx);
  // Revocation neither reads nor writes sealed successors, so it needs no secret key.
  await new RefreshTokenService(store, { secretKey: 'revocation-only: nothing is sealed or opened' }).revokeAllFor(
    collectionId,
    recordId,
  );
  await new SessionService(store).revokeAllFor(collectionId, recordId);
}
