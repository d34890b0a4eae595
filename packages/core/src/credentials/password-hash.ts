import { argon2id, hash as argonHash, needsRehash, verify as argonVerify } from 'argon2';

/**
 * argon2id with OWASP's minimum parameters (Password Storage Cheat Sheet): 19 MiB of
 * memory, two passes, one lane. Memory-hard, so guessing on GPUs stays expensive.
 */
export const passwordHashOptions = Object.freeze({
  type: argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
});

let dummyHash: Promise<string> | undefined;

/**
 * Hashes a password to a PHC string (`$argon2id$v=19$m=19456,p=1,t=2$<salt>$<hash>`) with a
 * fresh random salt. The password is used exactly as given: no trimming, no case folding.
 * @example const stored = await hashPassword('correct horse battery staple')
 */
export async function hashPassword(plain: string): Promise<string> {
  if (typeof plain !== 'string') throw new TypeError('the password must be a string');
  return argonHash(plain, passwordHashOptions);
}

/**
 * True when `plain` matches the stored PHC hash. Never throws for bad input: a malformed
 * hash or a non-string password is simply false.
 * @example if (await verifyPassword(user.passwordHash, body.password)) { ... }
 */
export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  if (typeof plain !== 'string') return false;
  // A missing or malformed hash (an account without a password) still costs one
  // verification, so it cannot be told apart from a wrong password by timing.
  if (typeof hash !== 'string' || !hash.startsWith('$argon2')) return verifyAgainstDummy(plain);
  try {
    return await argonVerify(hash, plain);
  } catch {
    return false;
  }
}

/**
 * Spends the time of one real verification and answers false. Call it when the account
 * does not exist, so an unknown user costs the same as a wrong password and response
 * times do not reveal which accounts exist.
 * @example const ok = user ? await verifyPassword(user.hash, pw) : await verifyAgainstDummy(pw)
 */
export async function verifyAgainstDummy(plain: string): Promise<false> {
  dummyHash ??= argonHash('tandem-dummy-password', passwordHashOptions);
  await argonVerify(await dummyHash, typeof plain === 'string' ? plain : '');
  return false;
}

/** True when a stored hash was made with weaker or other parameters than today's and should be redone at next sign-in. */
export function passwordNeedsRehash(hash: string): boolean {
  try {
    return needsRehash(hash, passwordHashOptions);
  } catch {
    return true;
  }
}
