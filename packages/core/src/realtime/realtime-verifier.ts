import type { AuthService } from '../auth/auth-service.js';
import type { CredentialVerifier } from './realtime-broker.js';

/** Checks a realtime client's token or session against the database as it is now. */
export function realtimeVerifier(auth: AuthService): CredentialVerifier {
  return async (credential) => {
    if (credential.kind === 'token') return auth.principalOfToken(credential.token);
    return (await auth.principalOfSession(credential.sessionId))?.principal;
  };
}
