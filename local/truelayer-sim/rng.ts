import { randomInt } from 'node:crypto';

/** A source of uniform numbers in [0, 1). */
export type RandomSource = () => number;

/**
 * A small seeded generator (mulberry32). Fault rates must be reproducible from a seed,
 * which `Math.random` cannot give; statistical quality is ample for that purpose.
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for runs where the caller did not choose one. */
export function randomSeed(): number {
  return randomInt(0, 2 ** 32 - 1);
}
