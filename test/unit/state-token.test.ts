import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newPkcePair, newStateToken } from '../../functions/onboarding/state-token.ts';

/** The bytes behind a base64url token; refuses anything that is not canonical base64url. */
function bytesOf(token: string): Buffer {
  expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  const bytes = Buffer.from(token, 'base64url');
  expect(bytes.toString('base64url')).toBe(token);
  return bytes;
}

/** For each of the 256 bit positions, the share of tokens that have it set. */
function bitShares(tokens: Buffer[]): number[] {
  const set = new Array<number>(256).fill(0);
  for (const bytes of tokens) {
    for (let bit = 0; bit < 256; bit += 1) {
      if (((bytes[bit >> 3] ?? 0) >> (bit & 7)) & 1) set[bit] = (set[bit] ?? 0) + 1;
    }
  }
  return set.map((count) => count / tokens.length);
}

describe('the state token', () => {
  it('carries 256 random bits: 32 bytes, each bit set about half the time, no two alike', () => {
    // Prepare / Act
    const tokens = Array.from({ length: 4000 }, () => newStateToken());
    const bytes = tokens.map(bytesOf);

    // Assess: 32 bytes each, and every one of the 256 bits varies. With 4,000
    // samples a fair bit lands within 0.5 ± 0.1 with a margin of about 12
    // standard deviations, while a constant, counter-like or short-and-padded
    // token leaves some positions at 0 or 1.
    expect(bytes.every((value) => value.length === 32)).toBe(true);
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const share of bitShares(bytes)) {
      expect(share).toBeGreaterThan(0.4);
      expect(share).toBeLessThan(0.6);
    }
  });
});

describe('the PKCE pair', () => {
  it('has a 43-character verifier of 256 random bits and its S256 challenge', () => {
    const pairs = Array.from({ length: 4000 }, () => newPkcePair());

    for (const { verifier, challenge } of pairs.slice(0, 50)) {
      // RFC 7636 §4.1: 43 to 128 characters from the unreserved set; §4.2: BASE64URL(SHA256(ASCII(verifier)))
      expect(verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
      expect(challenge).toBe(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
    }
    const verifiers = pairs.map(({ verifier }) => bytesOf(verifier));
    expect(verifiers.every((value) => value.length === 32)).toBe(true);
    expect(new Set(pairs.map(({ verifier }) => verifier)).size).toBe(pairs.length);
    for (const share of bitShares(verifiers)) {
      expect(share).toBeGreaterThan(0.4);
      expect(share).toBeLessThan(0.6);
    }
  });
});
