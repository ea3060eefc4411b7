/**
 * The verdicts of event-pattern-cases.ts against an independent reference: moto 5.2.1's EventBridge
 * matcher (`moto.events.models.EventPattern`), run once for this file in one python3 process that
 * reads `[pattern, event]` pairs as JSON on stdin and prints its verdicts. Where moto and
 * EventBridge's documentation disagree, the documentation wins: the case says so in `moto`.
 * Runs in `npm run test:reference` (CI runs it); python3 with moto is required: without it this file
 * fails, it does not skip.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CASES, EVENT, type Json } from './event-pattern-cases.ts';

const MOTO = `
import json, sys
from moto.events.models import EventPattern
pairs = json.load(sys.stdin)
print(json.dumps([EventPattern.load(json.dumps(p)).matches_event(e) for p, e in pairs]))
`;

function motoVerdicts(pairs: Array<[Json, Json]>): boolean[] {
  const run = spawnSync('python3', ['-c', MOTO], { input: JSON.stringify(pairs), encoding: 'utf8' });
  if (run.error)
    throw new Error(
      `python3 is required for the moto cross-check (pip install moto==5.2.1): ${run.error.message}`,
    );
  if (run.status !== 0)
    throw new Error(`moto's matcher did not run (is moto 5.2.1 installed for python3?):\n${run.stderr}`);
  return z.array(z.boolean()).length(pairs.length).parse(JSON.parse(run.stdout));
}

let moto: boolean[] = [];

beforeAll(() => {
  moto = motoVerdicts(CASES.map((c) => [c.pattern, c.event ?? EVENT]));
});

describe('moto, the independent reference, agrees', () => {
  it.each(CASES.map((c, index) => ({ ...c, index })))('$name', (c) => {
    expect(moto[c.index]).toBe(c.moto?.verdict ?? c.expected);
  });
});
