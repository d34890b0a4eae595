import type { AuthRequestOptions, AuthResult } from '../auth/auth-context.js';
import { tokenFromHeader } from '../auth/auth-principal.js';
import type { AuthService } from '../auth/auth-service.js';
import type { PasswordCredentials } from '../auth/auth-password-flow.js';
import type { RequestContext } from '../records/request-context.js';
import { AppError } from '../errors/app-error.js';
import type { ActionDefinition, ActionInput, ActionResult } from './action.js';
import { bodyObject, paramOf } from './action-input.js';
import type { ActionServices } from './action-services.js';
import { oauth2Redirect } from './oauth2-redirect-action.js';

type Body = Record<string, unknown>;

const collectionOf = (input: ActionInput) => paramOf(input, 'collection');
const noContent: ActionResult = { status: 204, body: null };
const AUTH_ERRORS = ['AUTH_COLLECTION_INVALID', 'BODY_INVALID'] as const;

/** The auth service; the dispatcher registers auth actions only when there is one. */
/** A header's value when it was sent once (a list, sent more than once, is not a token). */
function textOf(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function authOf(services: ActionServices): AuthService {
  return services.auth!;
}

/** The options every sign-in reads from its body and query: refresh token, session, MFA, expand. */
function authOptions(input: ActionInput, body: Body): AuthRequestOptions {
  const mfaId = typeof body.mfaId === 'string' ? body.mfaId : input.query.mfaId;
  return {
    refreshToken: body.refreshToken === true,
    session: body.session === true,
    mfaId,
    expand: input.query.expand,
  };
}

/** A sign-in's answer: `{token, record, …}`; a cookie session rides beside it for the transports that can keep one. */
function signedIn(result: AuthResult): ActionResult {
  const { session, ...body } = result;
  return session ? { status: 200, body, session } : { status: 200, body };
}

type SignIn = (auth: AuthService, input: ActionInput, body: Body, request: RequestContext) => Promise<AuthResult>;

/** A sign-in action: the MFA step raises AUTH_MFA_REQUIRED with `data.mfaId`. */
function signIn(name: string, summary: string, run: SignIn, errors: ActionDefinition['errors']): ActionDefinition {
  return {
    name,
    summary,
    access: 'anyone',
    shape: 'one',
    needs: 'auth',
    errors: [...AUTH_ERRORS, 'AUTH_MFA_REQUIRED', ...errors],
    run: async (services, input, request) => {
      const result = await run(authOf(services), input, bodyObject(input), request);
      return signedIn(await withAuthHooks(services, name, collectionOf(input), result, request));
    },
  };
}

const AUTH_METHODS: Record<string, string> = {
  'auth.withPassword': 'password',
  'auth.withOtp': 'otp',
  'auth.withOAuth2': 'oauth2',
  'auth.refresh': 'refresh',
};

/** Runs the `onRecordAuthRequest` hooks on a sign-in about to be answered; they may shape `record` and `meta`. */
async function withAuthHooks(
  services: ActionServices,
  action: string,
  collection: string,
  result: AuthResult,
  request: RequestContext,
): Promise<AuthResult> {
  const hooks = services.recordService.hooks;
  const name = services.collections.get(collection).name;
  if (!hooks.onRecordAuthRequest.has(name)) return result;
  const authMethod = AUTH_METHODS[action] ?? action;
  const event = {
    collection: name,
    authMethod,
    record: result.record,
    token: result.token,
    meta: result.meta,
    request,
  };
  await hooks.onRecordAuthRequest.trigger(event, async () => undefined, name, hooks.run);
  return { ...result, record: event.record, meta: event.meta };
}

type Step = (auth: AuthService, input: ActionInput, body: Body, request: RequestContext) => Promise<unknown>;

/** An action that answers 204 when it succeeds. */
function step(name: string, summary: string, run: Step, errors: ActionDefinition['errors'] = []): ActionDefinition {
  return {
    name,
    summary,
    access: 'anyone',
    shape: 'none',
    needs: 'auth',
    errors: [...AUTH_ERRORS, ...errors],
    async run(services, input, request) {
      await run(authOf(services), input, bodyObject(input), request);
      return noContent;
    },
  };
}

/**
 * The auth actions of an auth collection (PocketBase's `/api/collections/:collection/…`
 * endpoints). Who may do what is decided in core's auth flows; transports add only what
 * they alone can do (a cookie for `session`, rate limits per client address).
 */
export const authActions: readonly ActionDefinition[] = [
  {
    name: 'auth.methods',
    summary: 'The sign-in methods an auth collection offers.',
    access: 'anyone',
    shape: 'one',
    needs: 'auth',
    errors: ['AUTH_COLLECTION_INVALID'],
    async run(services, input) {
      const methods = await authOf(services).authMethods(collectionOf(input));
      // PocketBase's older clients read these three; a `fields` picker asks for the current shape only.
      const legacy = {
        authProviders: methods.oauth2.providers,
        usernamePassword: methods.password.enabled,
        emailPassword: methods.password.enabled,
      };
      return { status: 200, body: input.query.fields ? methods : { ...methods, ...legacy } };
    },
  },
  signIn(
    'auth.withPassword',
    'Signs in with an identity and a password.',
    (auth, input, body, request) =>
      auth.authWithPassword(collectionOf(input), body as PasswordCredentials, authOptions(input, body), request),
    ['AUTH_FAILED', 'AUTH_METHOD_DISABLED', 'AUTH_RULE_FAILED', 'AUTH_MFA_INVALID', 'AUTH_MFA_SAME_METHOD'],
  ),
  signIn(
    'auth.withOAuth2',
    'Signs in with an OAuth2 authorization code and its PKCE verifier; links or creates the record.',
    (auth, input, body, request) => auth.authWithOAuth2(collectionOf(input), body, authOptions(input, body), request),
    [
      'VALIDATION_FAILED',
      'AUTH_METHOD_DISABLED',
      'AUTH_OAUTH2_PROVIDER_INVALID',
      'AUTH_OAUTH2_CODE_REJECTED',
      'AUTH_OAUTH2_USER_INVALID',
      'AUTH_OAUTH2_EMAIL_UNVERIFIED',
      'AUTH_OAUTH2_PROVIDER_FAILED',
      'RECORD_CREATE_FAILED',
      'AUTH_RULE_FAILED',
      'AUTH_MFA_INVALID',
      'AUTH_MFA_SAME_METHOD',
    ],
  ),
  oauth2Redirect,
  signIn(
    'auth.refresh',
    'A new access token, from a refresh token in the body or the access token of the request.',
    (auth, input, body, request) => {
      const options = authOptions(input, body);
      if (typeof body.refreshToken === 'string')
        return auth.refreshWithToken(collectionOf(input), body.refreshToken, options, request);
      return auth.authRefresh(
        collectionOf(input),
        tokenFromHeader(textOf(request.headers.authorization)),
        options,
        request,
      );
    },
    ['AUTH_REQUIRED', 'AUTH_REFRESH_INVALID', 'AUTH_REFRESH_REUSED', 'AUTH_COLLECTION_MISMATCH', 'AUTH_RULE_FAILED'],
  ),
  signIn(
    'auth.withOtp',
    'Signs in with a one-time password sent by mail.',
    (auth, input, body, request) => auth.authWithOtp(collectionOf(input), body, authOptions(input, body), request),
    ['AUTH_OTP_INVALID', 'AUTH_METHOD_DISABLED', 'AUTH_RULE_FAILED', 'AUTH_MFA_INVALID', 'AUTH_MFA_SAME_METHOD'],
  ),
  {
    name: 'auth.requestOtp',
    summary: 'Mails a one-time password (the same answer whether the address is known or not).',
    access: 'anyone',
    shape: 'one',
    needs: 'auth',
    errors: [...AUTH_ERRORS, 'AUTH_METHOD_DISABLED'],
    run: async (services, input) => ({
      status: 200,
      body: await authOf(services).requestOtp(collectionOf(input), bodyObject(input).email),
    }),
  },
  step('auth.requestVerification', 'Mails a verification link.', (auth, input, body) =>
    auth.requestVerification(collectionOf(input), body.email),
  ),
  step(
    'auth.confirmVerification',
    'Marks the record verified.',
    (auth, input, body) => auth.confirmVerification(collectionOf(input), body.token),
    ['AUTH_TOKEN_INVALID'],
  ),
  step('auth.requestPasswordReset', 'Mails a password-reset link.', (auth, input, body) =>
    auth.requestPasswordReset(collectionOf(input), body.email),
  ),
  step(
    'auth.confirmPasswordReset',
    'Sets a new password and signs the record out everywhere.',
    (auth, input, body) => auth.confirmPasswordReset(collectionOf(input), body),
    ['AUTH_TOKEN_INVALID', 'VALIDATION_FAILED'],
  ),
  step(
    'auth.requestEmailChange',
    'Mails a link that confirms a new address.',
    (auth, input, body, request) => auth.requestEmailChange(collectionOf(input), request.principal, body.newEmail),
    ['AUTH_REQUIRED', 'VALIDATION_FAILED'],
  ),
  step(
    'auth.confirmEmailChange',
    'Changes the address and signs the record out everywhere.',
    (auth, input, body) => auth.confirmEmailChange(collectionOf(input), body),
    ['AUTH_TOKEN_INVALID', 'AUTH_FAILED'],
  ),
  step(
    'auth.logoutAll',
    'Revokes every token and session of a record (its own, or any for a superuser).',
    (auth, input, body, request) => auth.logoutEverywhere(collectionOf(input), request.principal, body.recordId),
    ['AUTH_REQUIRED', 'FORBIDDEN'],
  ),
  step(
    'auth.logout',
    'Ends a cookie session (`params.sessionId`, which the transport reads from its cookie) and revokes a refresh token.',
    (auth, input, body) => auth.logout(input.params.sessionId, body.refreshToken),
  ),
  {
    name: 'auth.impersonate',
    summary: 'A non-refreshable token of any record, for superusers.',
    access: 'superuser',
    shape: 'one',
    needs: 'auth',
    errors: [...AUTH_ERRORS, 'RECORD_NOT_FOUND', 'VALIDATION_FAILED'],
    async run(services, input, request) {
      const result = await authOf(services).impersonate(
        collectionOf(input),
        paramOf(input, 'id'),
        bodyObject(input).duration,
        request,
      );
      return signedIn(result);
    },
  },
  {
    name: 'superusers.install',
    summary: "Creates the first superuser with the one-time token of the first start's install link.",
    access: 'anyone',
    shape: 'none',
    needs: 'auth',
    errors: ['INSTALL_TOKEN_INVALID', 'VALIDATION_FAILED', 'BODY_INVALID'],
    async run(services, input) {
      const { token, email, password } = bodyObject(input);
      if (typeof token !== 'string' || typeof email !== 'string' || typeof password !== 'string')
        throw new AppError('VALIDATION_FAILED', undefined, {
          token: 'required',
          email: 'required',
          password: 'required',
        });
      await authOf(services).installSuperuser(token, email, password);
      return noContent;
    },
  },
];
