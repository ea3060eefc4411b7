import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits from the CSPRNG, URL-safe: unguessable and fit for a query string. */
export const newStateToken = () => randomBytes(32).toString('base64url');

/**
 * PKCE (RFC 7636) with S256: a verifier of 256 random bits (43 characters, the
 * shortest the RFC allows) and its challenge, BASE64URL(SHA-256(verifier)).
 * The challenge goes in the auth link; the verifier stays server-side until
 * the code exchange, so a code stolen from this journey is useless elsewhere.
 */
export function newPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier, 'ascii').digest('base64url') };
}

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
