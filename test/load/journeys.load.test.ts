import { dynamoDbEngineFromEnv, type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultDeadlineSeconds,
  faultPlan,
  formatLoadReport,
  loadOptionsFromEnv,
  reconcile,
  runJourneyLoad,
} from './journey-load.ts';

// A CI-sized run by default; `npm run load` runs 500 (see docs/reliability-load.md).
const options = loadOptionsFromEnv(60);
const deadlineSeconds = options.deadlineSeconds ?? defaultDeadlineSeconds(options.journeys);

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1 });
});

afterAll(async () => {
  await stack?.close();
});

describe('the fault plan', () => {
  it('faults about the asked share of calls, one fault per call, the same for the same seed', () => {
    const plan = faultPlan(['token', 'accounts'], 10_000, 0.1, 7);
    const again = faultPlan(['token', 'accounts'], 10_000, 0.1, 7);

    const faulted = plan.planned['token']?.filter(Boolean).length ?? 0;
    expect(faulted).toBeGreaterThan(900);
    expect(faulted).toBeLessThan(1_100);
    expect(again.rules).toEqual(plan.rules);
    // Three transient kinds per endpoint, never two firing on the same call.
    expect(plan.rules.filter((rule) => rule.endpoint === 'token').map((rule) => rule.fault)).toEqual([
      { kind: 'status', status: 503, retryAfterSeconds: 0 },
      { kind: 'status', status: 429, retryAfterSeconds: 0 },
      { kind: 'drop' },
    ]);
    const tokenRules = plan.rules.filter((rule) => rule.endpoint === 'token');
    const firingPerCall = Array.from(
      { length: 10_000 },
      (_, call) => tokenRules.filter((rule) => rule.sequence?.[call]).length,
    );
    expect(firingPerCall.filter((firing) => firing > 1)).toEqual([]);
    expect(firingPerCall.filter((firing) => firing === 1)).toHaveLength(faulted);
  });
});

describe(`${options.journeys} journeys under ${options.faultRate * 100}% TrueLayer faults`, () => {
  it(
    'ends every journey, and started = records = executions = terminal events',
    async () => {
      // Act
      const run = await runJourneyLoad(stack, options);
      const counts = await reconcile(stack, run);
      console.log(formatLoadReport(run, counts, dynamoDbEngineFromEnv()));

      // Assess: everything started, ended and was counted once in every place
      expect(counts.problems).toEqual([]);
      expect(run.notStarted).toBe(0);
      expect(counts.started).toBe(options.journeys);
      expect(counts.records).toBe(counts.started);
      expect(counts.executions).toBe(counts.started);
      expect(counts.terminalEvents).toBe(counts.started);
      // Nobody was left waiting for a choice: every journey completed or failed, every execution ended.
      expect(counts.byStatus['expired']).toBeUndefined();
      expect((counts.byStatus['completed'] ?? 0) + (counts.byStatus['failed'] ?? 0)).toBe(counts.started);
      expect(counts.byExecutionStatus['RUNNING']).toBeUndefined();
      expect((counts.byExecutionStatus['SUCCEEDED'] ?? 0) + (counts.byExecutionStatus['FAILED'] ?? 0)).toBe(
        counts.started,
      );
      // A third of the journeys were jane's, and each completed one holds the account chosen for it.
      const janes = run.results.filter((result) => result.user === 'jane');
      expect(janes).toHaveLength(Math.floor(options.journeys / 3));
      for (const jane of janes.filter((result) => result.status === 'completed')) {
        expect(jane.recordedChoice).toBe(jane.chosenAccountId);
      }
      // The faults really happened.
      expect((run.faults.injected['token'] ?? 0) + (run.faults.injected['accounts'] ?? 0)).toBeGreaterThan(0);
    },
    (deadlineSeconds + 30) * 1000,
  );
});
