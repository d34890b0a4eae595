import { AppError } from '../errors/app-error.js';
import type { ActionDefinition } from './action.js';
import { bodyObject } from './action-input.js';

/** The realtime topic the SDK's popup flow (`authWithOAuth2({provider})`) waits on. */
export const OAUTH2_TOPIC = '@oauth2';

/** What the provider's redirect carries: the query of a GET, or the form of a POST (`response_mode=form_post`). */
function redirectParams(query: Readonly<Record<string, string>>, body: Record<string, unknown>) {
  const pick = (key: string): string => {
    const value = body[key] ?? query[key];
    return typeof value === 'string' ? value.slice(0, 4096) : '';
  };
  return { state: pick('state'), code: pick('code'), error: pick('error') };
}

/**
 * The end of the OAuth2 popup flow (PocketBase's `/api/oauth2-redirect`): the provider
 * redirects the popup here, and `{state, code, error?}` goes to the realtime client
 * whose id is `state`, on its `@oauth2` subscription, once. The client then calls
 * auth-with-oauth2 with the code and its own PKCE verifier; the code alone signs
 * nobody in. A state that names no waiting client is AUTH_OAUTH2_STATE_INVALID; a
 * provider error (after it was passed on) is AUTH_OAUTH2_REDIRECT_ERROR.
 */
export const oauth2Redirect: ActionDefinition = {
  name: 'auth.oauth2Redirect',
  summary: 'Passes an OAuth2 redirect (state, code or error) to the realtime client named by its state.',
  access: 'anyone',
  shape: 'none',
  needs: 'realtime',
  errors: ['AUTH_OAUTH2_STATE_INVALID', 'AUTH_OAUTH2_REDIRECT_ERROR'],
  async run(services, input) {
    const params = redirectParams(input.query, bodyObject(input));
    const message = params.error ? params : { state: params.state, code: params.code };
    if (params.state === '' || !(await services.realtime!.sendTopicAnywhere(params.state, OAUTH2_TOPIC, message)))
      throw new AppError('AUTH_OAUTH2_STATE_INVALID');
    if (params.error !== '' || params.code === '')
      throw new AppError('AUTH_OAUTH2_REDIRECT_ERROR', undefined, { oauth2Error: params.error.slice(0, 100) });
    return { status: 200, body: null };
  },
};
