import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { ActionResult } from '@tandem/core';
import type { GrpcServices } from '../call/grpc-services.js';
import { unaryHandler, type UnaryInput } from '../call/unary-call.js';
import { toStruct } from '../proto/struct-value.js';
import { toQuery, toRecordMessage } from './record-message.js';

interface PasswordRequest {
  collection: string;
  identity: string;
  password: string;
  identity_field: string;
  refresh_token: boolean;
  mfa_id: string;
  expand: string;
  fields: string;
}
interface RefreshRequest {
  collection: string;
  refresh_token: string;
  expand: string;
  fields: string;
}

/**
 * `tandem.v1.Auth`: the `auth.withPassword` and `auth.refresh` actions, rate limited
 * per client address and identity by the same limits and counters as REST's endpoints
 * (a caller cannot earn attempts by switching protocol). MFA's first step is
 * UNAUTHENTICATED with `mfaId` in the error's data; cookie sessions are HTTP's alone.
 */
export function authService(services: GrpcServices): UntypedServiceImplementation {
  return {
    AuthWithPassword: unaryHandler<PasswordRequest, unknown>(services, {
      httpMethod: 'POST',
      query: (m) => toQuery({ expand: m.expand, fields: m.fields }),
      run: (input) => {
        const m = input.message;
        const body = toQuery({
          identity: m.identity,
          password: m.password,
          identityField: m.identity_field,
          mfaId: m.mfa_id,
        });
        return signIn(services, 'auth-with-password', 'auth.withPassword', input, {
          ...body,
          refreshToken: m.refresh_token,
        });
      },
    }),
    Refresh: unaryHandler<RefreshRequest, unknown>(services, {
      httpMethod: 'POST',
      query: (m) => toQuery({ expand: m.expand, fields: m.fields }),
      run: (input) =>
        signIn(services, 'auth-refresh', 'auth.refresh', input, toQuery({ refreshToken: input.message.refresh_token })),
    }),
  };
}

async function signIn(
  services: GrpcServices,
  endpoint: string,
  action: string,
  input: UnaryInput<{ collection: string }>,
  body: Record<string, unknown>,
) {
  const collection = input.message.collection;
  await services.authLimits.check(endpoint, { ip: input.ip, collection }, body);
  const result = await services.actions.dispatch(
    action,
    { params: { collection }, query: input.request.query, body },
    input.request,
  );
  return toAuthResponse(result);
}

function toAuthResponse(result: ActionResult) {
  const { token, record, refreshToken, meta } = result.body as Record<string, unknown>;
  return {
    token,
    record: toRecordMessage(record),
    refresh_token: refreshToken ?? '',
    meta: meta ? toStruct(meta as Record<string, unknown>) : null,
  };
}
