import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { requestJson } from '../../test/helpers/http.ts';
import { realClock } from '../clock.ts';
import { type LocalStack, startLocalStack } from '../stack.ts';

/** The controlled clock, as `npm start -- --controlled-clock` users reach it: `/_local/clock`. */
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', clock: 'controlled' });
});

afterAll(async () => {
  await stack?.close();
});

const clockUrl = () => `${stack.urls.api}/_local/clock`;

describe('/_local/clock', () => {
  it('moves Date in this process on by the seconds asked, and says where it stands', async () => {
    const before = Date.now();

    const answer = await requestJson('POST', clockUrl(), { advance_seconds: 3600 });

    expect(answer.status).toBe(200);
    const state = z.object({ kind: z.literal('controlled'), now: z.iso.datetime() }).parse(answer.body);
    const shown = Date.parse(state.now);
    expect(shown).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(Date.now()).toBeGreaterThanOrEqual(shown);
    expect((await requestJson('GET', clockUrl())).body).toMatchObject({ kind: 'controlled' });
  });

  it('fires a timer armed on the clock as soon as an advance makes it due', () => {
    let fired = 0;
    stack.clock.setTimeout(() => fired++, 120_000);

    stack.clock.advance(119);
    const early = fired;
    stack.clock.advance(1);

    expect(early).toBe(0);
    expect(fired).toBe(1);
  });

  it('refuses anything but {"advance_seconds": n ≥ 0}', async () => {
    for (const body of [
      {},
      { advance_seconds: -1 },
      { advance_seconds: '5' },
      { advance_seconds: 1, other: 1 },
    ]) {
      expect((await requestJson('POST', clockUrl(), body)).status, JSON.stringify(body)).toBe(400);
    }
  });
});

describe('the real clock', () => {
  it('cannot be advanced', () => {
    expect(() => realClock().advance(1)).toThrow(/cannot be advanced/);
  });
});
