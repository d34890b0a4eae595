import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** Seals short secrets with AES-256-GCM so they can be stored and read back by this server only. */
export interface SecretBox {
  /** Encrypts `plain`, bound to `context` (e.g. the row id), as base64url text. */
  seal(plain: string, context: string): string;
  /** The plaintext, or undefined when the text was not sealed by this key for this context. */
  open(sealed: string, context: string): string | undefined;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A SecretBox whose 256-bit key is derived with HKDF-SHA256 from a server secret and a
 * purpose label, so one server secret can serve several boxes without sharing keys.
 * @example const box = createSecretBox(config.secretKey, 'refresh-token-successor')
 */
export function createSecretBox(secret: string, purpose: string): SecretBox {
  if (typeof secret !== 'string' || secret.length < 16)
    throw new TypeError('the server secret must be at least 16 characters');
  const key = Buffer.from(hkdfSync('sha256', secret, '', `tandem/${purpose}`, 32));
  return {
    seal: (plain, context) => seal(key, plain, context),
    open: (sealed, context) => open(key, sealed, context),
  };
}

function seal(key: Buffer, plain: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

function open(key: Buffer, sealed: string, context: string): string | undefined {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8')).setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
