/**
 * The local bus's pattern matcher (local/event-pattern.ts) gives EventBridge's documented verdict on
 * every case of event-pattern-cases.ts. Those verdicts are checked against moto's matcher by
 * event-pattern.moto.test.ts (`npm run test:reference`, which needs python3 with moto 5.2.1).
 */
import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../event-pattern.ts';
import { CASES, EVENT } from './event-pattern-cases.ts';

describe('matchesPattern', () => {
  it.each(CASES)('$name', (c) => {
    expect(matchesPattern(c.pattern, c.event ?? EVENT)).toBe(c.expected);
  });
});
