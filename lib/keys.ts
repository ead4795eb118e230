// API keys: random, shown once, stored only as a SHA-256 hash. A key carries 256 bits of
// randomness, so a fast hash is enough; lookups go by hash, which compares in the database
// without revealing how much of a guess matched.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_PATTERN = /^hk_([a-z0-9]{8})_[A-Za-z0-9_-]{43}$/;

export interface NewApiKey {
  key: string;
  prefix: string;
  hash: string;
}

export function generateApiKey(): NewApiKey {
  const prefix = randomBytes(6).toString('hex').slice(0, 8);
  const key = `hk_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The display prefix of a well-formed key, or the first characters of anything else. */
export function keyPrefix(key: string): string {
  return KEY_PATTERN.exec(key)?.[1] ?? key.slice(0, 8);
}

/** Compares two key hashes in constant time. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
