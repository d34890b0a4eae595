/** A provider's user, as Tandem reads it (PocketBase's AuthUser plus whether the email is verified). */
export interface OAuth2User {
  readonly id: string;
  readonly name: string;
  readonly username: string;
  readonly email: string;
  /** True only when the provider itself says the address is verified. */
  readonly emailVerified: boolean;
  readonly avatarURL: string;
}

/** Where a preset reads the user from: the user-info endpoint, or the ID token of the token answer. */
export type UserSource = 'userinfo' | 'idToken';

/**
 * What Tandem knows of a common provider: its endpoints, scopes, whether it takes PKCE,
 * and how its user JSON maps onto an OAuth2User. A configured provider of the same name
 * may override every URL.
 */
export interface OAuth2Preset {
  readonly displayName: string;
  readonly authURL: string;
  readonly tokenURL: string;
  readonly userInfoURL: string;
  readonly scopes: readonly string[];
  readonly pkce: boolean;
  readonly userSource: UserSource;
  /** Extra parameters of the authorization request. */
  readonly authParams?: Readonly<Record<string, string>>;
  /** GitHub's `/user` often has no email: its `/user/emails` lists the verified ones. */
  readonly emailsURL?: string;
  toUser(raw: Record<string, unknown>): OAuth2User;
}

const text = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
// Some providers (Apple) send booleans in ID tokens as the strings "true"/"false".
const flag = (value: unknown): boolean => value === true || value === 'true';

/** The standard claims of OpenID Connect Core §5.1. */
export function oidcUser(raw: Record<string, unknown>): OAuth2User {
  return {
    id: text(raw.sub),
    name: text(raw.name),
    username: text(raw.preferred_username),
    email: text(raw.email),
    emailVerified: flag(raw.email_verified),
    avatarURL: text(raw.picture),
  };
}

const oidcScopes = ['openid', 'email', 'profile'];

/** The presets, by provider name. `oidc`, `oidc2`, `oidc3` are generic (URLs or `extra.discoveryURL` required). */
export const OAUTH2_PRESETS: Readonly<Record<string, OAuth2Preset>> = {
  google: {
    displayName: 'Google',
    authURL: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenURL: 'https://oauth2.googleapis.com/token',
    userInfoURL: 'https://openidconnect.googleapis.com/v1/userinfo',
    scopes: oidcScopes,
    pkce: true,
    userSource: 'userinfo',
    toUser: oidcUser,
  },
  github: {
    displayName: 'GitHub',
    authURL: 'https://github.com/login/oauth/authorize',
    tokenURL: 'https://github.com/login/oauth/access_token',
    userInfoURL: 'https://api.github.com/user',
    emailsURL: 'https://api.github.com/user/emails',
    scopes: ['read:user', 'user:email'],
    pkce: true,
    userSource: 'userinfo',
    // `email` of /user is the public profile address, never known to be verified.
    toUser: (raw) => ({
      id: text(raw.id),
      name: text(raw.name),
      username: text(raw.login),
      email: text(raw.email),
      emailVerified: false,
      avatarURL: text(raw.avatar_url),
    }),
  },
  microsoft: {
    displayName: 'Microsoft',
    authURL: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    tokenURL: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    userInfoURL: 'https://graph.microsoft.com/v1.0/me',
    scopes: ['User.Read'],
    pkce: true,
    userSource: 'userinfo',
    // NB: Graph's `mail` is whatever a tenant's admin typed in; it is never proof of
    // ownership, so it never links an existing account (the "nOAuth" takeover).
    toUser: (raw) => ({
      id: text(raw.id),
      name: text(raw.displayName),
      username: '',
      email: text(raw.mail),
      emailVerified: false,
      avatarURL: '',
    }),
  },
  apple: {
    displayName: 'Apple',
    authURL: 'https://appleid.apple.com/auth/authorize',
    tokenURL: 'https://appleid.apple.com/auth/token',
    userInfoURL: '',
    scopes: ['name', 'email'],
    pkce: true,
    userSource: 'idToken',
    // Apple posts the answer back when scopes are asked for.
    authParams: { response_mode: 'form_post' },
    toUser: oidcUser,
  },
  gitlab: {
    displayName: 'GitLab',
    authURL: 'https://gitlab.com/oauth/authorize',
    tokenURL: 'https://gitlab.com/oauth/token',
    userInfoURL: 'https://gitlab.com/api/v4/user',
    scopes: ['read_user'],
    pkce: true,
    userSource: 'userinfo',
    // GitLab's primary address is the confirmed one once `confirmed_at` is set.
    toUser: (raw) => ({
      id: text(raw.id),
      name: text(raw.name),
      username: text(raw.username),
      email: text(raw.email),
      emailVerified: typeof raw.confirmed_at === 'string' && raw.confirmed_at !== '',
      avatarURL: text(raw.avatar_url),
    }),
  },
  discord: {
    displayName: 'Discord',
    authURL: 'https://discord.com/api/oauth2/authorize',
    tokenURL: 'https://discord.com/api/oauth2/token',
    userInfoURL: 'https://discord.com/api/users/@me',
    scopes: ['identify', 'email'],
    pkce: true,
    userSource: 'userinfo',
    toUser: (raw) => ({
      id: text(raw.id),
      name: text(raw.global_name) || text(raw.username),
      username: text(raw.username),
      email: text(raw.email),
      emailVerified: flag(raw.verified),
      avatarURL: raw.avatar ? `https://cdn.discordapp.com/avatars/${text(raw.id)}/${text(raw.avatar)}.png` : '',
    }),
  },
  oidc: genericOidc('OpenID Connect'),
  oidc2: genericOidc('OpenID Connect (2)'),
  oidc3: genericOidc('OpenID Connect (3)'),
};

function genericOidc(displayName: string): OAuth2Preset {
  return {
    displayName,
    authURL: '',
    tokenURL: '',
    userInfoURL: '',
    scopes: oidcScopes,
    pkce: true,
    userSource: 'userinfo',
    toUser: oidcUser,
  };
}

/** The preset of a provider name; a name without one is read as a generic OpenID Connect provider. */
export function presetOf(name: string): OAuth2Preset {
  return OAUTH2_PRESETS[name] ?? genericOidc(name);
}
