import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits from the CSPRNG, URL-safe: unguessable and fit for a query string. */
export const newStateToken = () => randomBytes(32).toString('base64url');

/**
 * Only hashes of states and codes are stored or compared, so a database read
 * never reveals a usable value and lookups do not compare secrets directly.
 */
export const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
