import { AppError } from '../errors/app-error.js';
import type { RateLimiter } from '../credentials/rate-limiter.js';
import { defaultSettings, type RateLimitSettings } from '../settings/settings-schema.js';
import type { SettingsService } from '../settings/settings-service.js';

/** One limit: at most `max` requests per `windowSeconds`. */
export interface Limit {
  readonly max: number;
  readonly windowSeconds: number;
}

/** Limits per auth endpoint, counted per client IP and per identity (email or login). */
export interface AuthRateLimitRules {
  readonly enabled: boolean;
  readonly perIp: Readonly<Record<string, Limit>>;
  readonly perIdentity: Readonly<Record<string, Limit>>;
}

/**
 * Per-IP limits of the endpoints that a fresh install's settings name no rule for;
 * the others come from `defaultSettings.rateLimits`.
 */
const PER_IP_WITHOUT_SETTING: Readonly<Record<string, Limit>> = {
  'request-email-change': { max: 10, windowSeconds: 60 },
  'auth-with-oauth2': { max: 20, windowSeconds: 60 },
  'confirm-password-reset': { max: 20, windowSeconds: 60 },
  'confirm-verification': { max: 20, windowSeconds: 60 },
  'confirm-email-change': { max: 20, windowSeconds: 60 },
};

/**
 * Tandem's defaults: the limits a fresh install enforces, tight on credential checks,
 * looser on refresh. The per-IP limits are derived from `defaultSettings.rateLimits`, so
 * an app with settings and one without enforce the same numbers (docs/auth.md lists
 * them, and a test compares the two).
 */
export const defaultAuthRateLimits: AuthRateLimitRules = Object.freeze({
  enabled: defaultSettings.rateLimits.enabled,
  perIp: Object.freeze({ ...PER_IP_WITHOUT_SETTING, ...perIpRules(defaultSettings.rateLimits) }),
  perIdentity: Object.freeze({
    'auth-with-password': { max: 10, windowSeconds: 300 },
    'request-otp': { max: 5, windowSeconds: 300 },
    'request-password-reset': { max: 5, windowSeconds: 300 },
  }),
});

/** Who makes an auth attempt, as every transport can tell: the client address and the collection named. */
export interface AuthCaller {
  readonly ip: string;
  readonly collection: string;
}

/** Checks the limits of an auth endpoint before it runs; TOO_MANY_REQUESTS with `retryAfter` when one is hit. */
export interface AuthRateLimits {
  check(endpoint: string, caller: AuthCaller, body: Record<string, unknown>): Promise<void>;
}

/**
 * Keys are what a client cannot vary at will: the client address (HTTP: the socket
 * address unless a trusted proxy is configured) and the identity the request targets,
 * trimmed and lower-cased so case or spacing tricks do not open a fresh bucket. Unrelated
 * body fields never enter a key. Keys name no transport: transports that share one
 * limiter share the buckets, so switching protocol buys no extra attempts.
 */
export function createAuthRateLimits(limiter: RateLimiter, rules: () => AuthRateLimitRules): AuthRateLimits {
  return {
    async check(endpoint, caller, body) {
      const current = rules();
      if (!current.enabled) return;
      const ip = current.perIp[endpoint];
      if (ip) await hit(limiter, `ip:${caller.ip}:${caller.collection}:${endpoint}`, ip);
      const perIdentity = current.perIdentity[endpoint];
      const identity = body.identity ?? body.email;
      if (perIdentity && typeof identity === 'string')
        await hit(limiter, `id:${caller.collection}:${endpoint}:${identity.trim().toLowerCase()}`, perIdentity);
    },
  };
}

async function hit(limiter: RateLimiter, key: string, limit: Limit): Promise<void> {
  const result = await limiter.hit(key, limit.max, limit.windowSeconds * 1000);
  if (!result.allowed)
    throw new AppError('TOO_MANY_REQUESTS', undefined, {
      retryAfter: Math.max(1, Math.ceil(result.retryAfterMs / 1000)),
    });
}

/**
 * The auth limits the settings describe: `rateLimits.enabled`, and each `*:<endpoint>`
 * rule as that endpoint's per-IP limit (PocketBase's labels). Per-identity limits keep
 * Tandem's defaults: they exist so that spreading guesses over many addresses does not
 * help, whatever the per-IP rules say.
 */
export function authRateLimitsFromSettings(settings: RateLimitSettings): AuthRateLimitRules {
  const perIp = { ...defaultAuthRateLimits.perIp, ...perIpRules(settings) };
  return { enabled: settings.enabled, perIp, perIdentity: defaultAuthRateLimits.perIdentity };
}

/** The auth rate limits in force: from the live settings when there are settings, Tandem's defaults otherwise. */
export function liveAuthRateLimits(settings: SettingsService | undefined): () => AuthRateLimitRules {
  if (!settings) return () => defaultAuthRateLimits;
  let source = settings.get().rateLimits;
  let rules = authRateLimitsFromSettings(source);
  return () => {
    const current = settings.get().rateLimits;
    if (current !== source) (source = current), (rules = authRateLimitsFromSettings(current));
    return rules;
  };
}

/** The per-IP limits of the `*:<endpoint>` rules that apply to sign-in (not `@auth`-only ones). */
function perIpRules(settings: RateLimitSettings): Record<string, Limit> {
  const perIp: Record<string, Limit> = {};
  for (const rule of settings.rules) {
    const match = /^\*:([a-z-]+)$/.exec(rule.label);
    if (match && rule.audience !== '@auth') perIp[match[1]!] = { max: rule.maxRequests, windowSeconds: rule.duration };
  }
  return perIp;
}
