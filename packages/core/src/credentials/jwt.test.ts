import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { decodeJwtUnverified, signJwt, verifyJwt } from './jwt.js';

const KEY = 'server-side-signing-key-0123456789abcdef';
const NOW = new Date('2030-01-01T00:00:00Z');
const nowSeconds = NOW.getTime() / 1000;
const validClaims = () => ({ id: 'u1', collectionId: 'c1', type: 'auth', iat: nowSeconds, exp: nowSeconds + 3600 });

const b64 = (part: string | Uint8Array | object) =>
  Buffer.from(typeof part === 'string' || part instanceof Uint8Array ? part : JSON.stringify(part)).toString(
    'base64url',
  );

/**
 * A token with a correct HMAC over whatever header and payload it is given (objects,
 * raw JSON text or raw bytes), so a refusal proves the rule, not a bad signature.
 */
function craft(options: {
  header?: string | Uint8Array | object;
  payload?: string | Uint8Array | object;
  key?: string;
  signature?: string;
}): string {
  const input = `${b64(options.header ?? { alg: 'HS256', typ: 'JWT' })}.${b64(options.payload ?? validClaims())}`;
  const signature =
    options.signature ??
    createHmac('sha256', options.key ?? KEY)
      .update(input)
      .digest('base64url');
  return `${input}.${signature}`;
}

/** The same signature bytes spelled differently: 32 bytes leave two unused bits in the last character. */
function flipStrayBit(signature: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet[alphabet.indexOf(signature.at(-1)!) ^ 1]!;
  const flipped = signature.slice(0, -1) + last;
  assert.deepEqual(Buffer.from(flipped, 'base64url'), Buffer.from(signature, 'base64url'));
  return flipped;
}

describe('signJwt and verifyJwt', () => {
  it('round-trips claims', async () => {
    const token = await signJwt(validClaims(), KEY);
    assert.deepEqual(await verifyJwt(token, KEY, NOW), validClaims());
  });

  it('writes exactly the HS256 header, the claims as JSON and the HMAC node:crypto computes', async () => {
    const token = await signJwt(validClaims(), KEY);
    const [header, payload] = token.split('.');
    assert.equal(Buffer.from(header!, 'base64url').toString(), '{"alg":"HS256","typ":"JWT"}');
    assert.equal(Buffer.from(payload!, 'base64url').toString(), JSON.stringify(validClaims()));
    assert.equal(token, craft({}), 'the same bytes as a token signed by hand');
  });

  it('accepts a crafted token whose header has no typ, and nbf in the past', async () => {
    const token = craft({ header: { alg: 'HS256' }, payload: { ...validClaims(), nbf: nowSeconds - 10 } });
    assert.equal((await verifyJwt(token, KEY, NOW))?.id, 'u1');
  });

  it('accepts iat up to 60 s ahead (clock skew)', async () => {
    assert.ok(await verifyJwt(craft({ payload: { ...validClaims(), iat: nowSeconds + 60 } }), KEY, NOW));
  });

  it('refuses to sign without a key', async () => {
    await assert.rejects(signJwt(validClaims(), ''), TypeError);
  });
});

const good = await signJwt(validClaims(), KEY);
const signedWithAnotherKey = await signJwt(validClaims(), 'another-key');

describe('verifyJwt refuses', () => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const [goodHeader, goodPayload, goodSignature] = good.split('.') as [string, string, string];

  const cases: Array<[string, string]> = [
    ...['none', 'None', 'NONE', 'nOnE'].map((alg): [string, string] => [
      `alg ${alg} with an empty signature`,
      `${b64({ alg, typ: 'JWT' })}.${goodPayload}.`,
    ]),
    ['alg none with a valid HS256 signature', craft({ header: { alg: 'none', typ: 'JWT' } })],
    ['alg hs256 in lower case', craft({ header: { alg: 'hs256', typ: 'JWT' } })],
    ...['RS256', 'ES256', 'PS256', 'HS384', 'HS512', 'EdDSA'].map((alg): [string, string] => [
      `alg ${alg}`,
      craft({ header: { alg, typ: 'JWT' } }),
    ]),
    ['a missing alg', craft({ header: { typ: 'JWT' } })],
    ['typ other than JWT', craft({ header: { alg: 'HS256', typ: 'JWS' } })],
    ['an empty signature', `${goodHeader}.${goodPayload}.`],
    ['a truncated signature', `${goodHeader}.${goodPayload}.${goodSignature.slice(0, 42)}`],
    ['a signature cut to half its bytes', `${goodHeader}.${goodPayload}.${goodSignature.slice(0, 22)}`],
    [
      'a non-canonical signature encoding (same bytes, other stray bits)',
      `${goodHeader}.${goodPayload}.${flipStrayBit(goodSignature)}`,
    ],
    ['HS256 signed with the RSA public key PEM', craft({ header: { alg: 'HS256', typ: 'JWT' }, key: publicPem })],
    [
      'HS256 signed with the PEM after leading whitespace',
      craft({ header: { alg: 'HS256', typ: 'JWT' }, key: `\n  ${publicPem}` }),
    ],
    [
      'RS256 header signed with the RSA public key PEM',
      craft({ header: { alg: 'RS256', typ: 'JWT' }, key: publicPem }),
    ],
    ['kid ../../dev/null', craft({ header: { alg: 'HS256', typ: 'JWT', kid: '../../dev/null' } })],
    ['kid with SQL', craft({ header: { alg: 'HS256', typ: 'JWT', kid: "' OR 1=1--" } })],
    ['a jku header', craft({ header: { alg: 'HS256', typ: 'JWT', jku: 'https://attacker.example/jwks.json' } })],
    ['an x5u header', craft({ header: { alg: 'HS256', typ: 'JWT', x5u: 'https://attacker.example/cert.pem' } })],
    ['a jwk header', craft({ header: { alg: 'HS256', typ: 'JWT', jwk: { kty: 'oct', k: b64(KEY) } } })],
    ['an x5c header', craft({ header: { alg: 'HS256', typ: 'JWT', x5c: ['MIIB'] } })],
    ['an unknown crit', craft({ header: { alg: 'HS256', typ: 'JWT', crit: ['exp2'], exp2: 1 } })],
    ['any other header member', craft({ header: { alg: 'HS256', typ: 'JWT', cty: 'JWT' } })],
    ['a duplicate alg in the header', craft({ header: '{"alg":"none","alg":"HS256"}' })],
    ['a header that is not an object', craft({ header: '["HS256"]' })],
    ['an expired token', craft({ payload: { ...validClaims(), exp: nowSeconds - 1 } })],
    ['a token expiring this very second', craft({ payload: { ...validClaims(), exp: nowSeconds } })],
    ['a missing exp', craft({ payload: { id: 'u1' } })],
    ['a string exp', craft({ payload: { ...validClaims(), exp: String(nowSeconds + 3600) } })],
    ['nbf in the future', craft({ payload: { ...validClaims(), nbf: nowSeconds + 120 } })],
    ['a string nbf', craft({ payload: { ...validClaims(), nbf: '0' } })],
    ['iat far in the future', craft({ payload: { ...validClaims(), iat: nowSeconds + 3600 } })],
    ['duplicate claim names', craft({ payload: `{"id":"u1","exp":${nowSeconds + 3600},"id":"admin"}` })],
    [
      'duplicate claim names spelled with an escape',
      craft({ payload: `{"id":"u1","exp":${nowSeconds + 3600},"\\u0069d":"admin"}` }),
    ],
    [
      'a non-UTF-8 payload',
      craft({
        payload: Buffer.concat([
          Buffer.from(`{"exp":${nowSeconds + 3600},"id":"`),
          Buffer.from([0xc3, 0x28]),
          Buffer.from('"}'),
        ]),
      }),
    ],
    ['a payload that is not JSON', craft({ payload: 'exp=2000000000' })],
    ['a payload that is an array', craft({ payload: '[1]' })],
    ['a payload that is null', craft({ payload: 'null' })],
    ['the wrong key', signedWithAnotherKey],
    ['a tampered payload', `${goodHeader}.${b64({ ...validClaims(), id: 'admin' })}.${goodSignature}`],
    ['a tampered header', `${b64({ typ: 'JWT', alg: 'HS256' })}.${goodPayload}.${goodSignature}`],
    ['two parts', `${goodHeader}.${goodPayload}`],
    ['four parts', `${good}.${goodSignature}`],
    ['padding characters', `${goodHeader}.${goodPayload}=.${goodSignature}`],
    ['standard base64 characters', `${goodHeader}.${goodPayload}.${goodSignature.replace(/[-_]/g, '+')}+`],
    ['whitespace around the token', ` ${good}`],
    ['an empty string', ''],
  ];

  for (const [name, token] of cases) {
    it(name, async () => {
      assert.equal(await verifyJwt(token, KEY, NOW), undefined);
    });
  }

  it('anything when the key is empty', async () => {
    assert.equal(await verifyJwt(craft({ key: '' }), '', NOW), undefined);
  });

  it('non-string input without rejecting', async () => {
    for (const value of [undefined, null, 42, {}, ['a.b.c']])
      assert.equal(await verifyJwt(value as unknown as string, KEY, NOW), undefined);
  });
});

describe('decodeJwtUnverified', () => {
  it('reads claims without checking the signature or times', () => {
    const expired = craft({ payload: { id: 'u1', collectionId: 'c1', exp: 1 }, key: 'unknown key' });
    assert.deepEqual(decodeJwtUnverified(expired), { id: 'u1', collectionId: 'c1', exp: 1 });
  });

  it('is undefined for text that is not a JWT', () => {
    assert.equal(decodeJwtUnverified('not a token'), undefined);
    assert.equal(decodeJwtUnverified(craft({ payload: '[]' })), undefined);
  });
});
