import type { Metadata } from '@grpc/grpc-js';
import { AppError, guest, tokenFromHeader, type AuthService, type Principal } from '@tandem/core';

/** Who is calling, and the token that proved it (kept so a Watch can be checked again when the record changes). */
export interface CallPrincipal {
  readonly principal: Principal;
  readonly token: string | undefined;
}

/**
 * The principal of a call's `authorization` metadata (the token with or without
 * `Bearer `, the same tokens as REST). No metadata is a guest. NB: unlike REST, which
 * answers a bad token as a guest for PocketBase's clients, a token that does not verify
 * is UNAUTHENTICATED: a gRPC client that sent one wants to know.
 */
export async function principalOfMetadata(auth: AuthService | undefined, metadata: Metadata): Promise<CallPrincipal> {
  const [header] = metadata.get('authorization');
  if (header === undefined) return { principal: guest, token: undefined };
  const token = typeof header === 'string' ? tokenFromHeader(header) : undefined;
  const principal = token && auth ? await auth.principalOfToken(token) : undefined;
  if (!principal) throw new AppError('AUTH_REQUIRED', 'The authorization token is invalid or expired.');
  return { principal, token };
}
