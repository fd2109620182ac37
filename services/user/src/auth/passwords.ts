import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

// scrypt with N = 2^15, r = 8, p = 1 (about 32 MiB and tens of milliseconds per hash).
const COST = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const PREFIX = 'scrypt';

const derive = (password: string, salt: Buffer, options: { N: number; r: number; p: number }, length: number) =>
  new Promise<Buffer>((resolve, reject) => {
    const scryptOptions: ScryptOptions = { ...options, maxmem: 256 * options.N * options.r };
    scrypt(password.normalize('NFC'), salt, length, scryptOptions, (error, key) => (error ? reject(error) : resolve(key)));
  });

/** Hash a password as a self-describing string: `scrypt$N=32768,r=8,p=1$<salt>$<hash>` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const hash = await derive(password, salt, COST, KEY_LENGTH);
  return `${PREFIX}$N=${COST.N},r=${COST.r},p=${COST.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** True when `password` matches `stored` (compared in constant time); false for a malformed `stored`. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [prefix, params, salt, hash] = stored.split('$');
  const cost = Object.fromEntries((params ?? '').split(',').map((pair) => pair.split('=') as [string, string]));
  const options = { N: Number(cost.N), r: Number(cost.r), p: Number(cost.p) };
  if (prefix !== PREFIX || !salt || !hash || !Object.values(options).every((v) => Number.isSafeInteger(v) && v > 0)) return false;
  const expected = Buffer.from(hash, 'base64url');
  if (expected.length < 16) return false;
  const actual = await derive(password, Buffer.from(salt, 'base64url'), options, expected.length);
  return timingSafeEqual(actual, expected);
}

let dummy: Promise<string> | undefined;
/**
 * Spend as long as a real check, for a login with an unknown email: the answer time must not
 * tell whether an account exists. Always false.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await dummy);
  return false;
}
