import { dynamoDbEngineFromEnv, type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defaultDeadlineSeconds,
  faultPlan,
  formatLoadReport,
  getOnboarding,
  loadOptionsFromEnv,
  reconcile,
  runJourneyLoad,
} from '../../bench/lib/journey-load.ts';

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

/** The local event log, `GET /_local/events`: every event the bus accepted, in order. */
const eventLogSchema = z.array(
  z
    .object({ 'detail-type': z.string(), detail: z.object({ onboarding_id: z.string().optional() }).loose() })
    .loose(),
);

async function eventLog() {
  const response = await fetch(`${stack.urls.api}/_local/events`);
  expect(response.status).toBe(200);
  return eventLogSchema.parse(await response.json());
}

const TERMINAL: Record<string, string> = {
  completed: 'Onboarding Ready For Payment',
  failed: 'Onboarding Failed',
  expired: 'Onboarding Expired',
};

describe(`${options.journeys} journeys under ${options.faultRate * 100}% TrueLayer faults`, () => {
  it(
    'ends every journey it started exactly once, with the event its final status calls for',
    async () => {
      // Act
      const run = await runJourneyLoad(stack, options);
      console.log(formatLoadReport(run, await reconcile(stack, run), dynamoDbEngineFromEnv()));

      // Assess, from the product alone: its API for each onboarding, and the events its bus accepted.
      const started = run.results.flatMap((result) => (result.onboardingId ? [result.onboardingId] : []));
      const endEvents = new Map<string, string[]>();
      for (const event of await eventLog()) {
        if (!Object.values(TERMINAL).includes(event['detail-type'])) continue;
        const id = event.detail.onboarding_id ?? '(none)';
        endEvents.set(id, [...(endEvents.get(id) ?? []), event['detail-type']]);
      }
      // No end was announced for an onboarding nobody started.
      expect([...endEvents.keys()].filter((id) => !started.includes(id))).toEqual([]);

      // Every journey asked for was started (a create that never succeeded says why).
      expect(run.results.filter((result) => !result.onboardingId).map((result) => result.error)).toEqual([]);
      const ends = [];
      for (const result of run.results) {
        const id = result.onboardingId ?? '';
        const view = await getOnboarding(stack, id);
        ends.push({
          id,
          status: view.status,
          events: endEvents.get(id) ?? [],
          chosen: view.chosen_account_id,
          failure: view.failure?.reason,
        });
      }
      // Each one ended (nobody was left waiting for a choice), and announced it exactly once.
      expect(ends.filter((end) => end.status !== 'completed' && end.status !== 'failed')).toEqual([]);
      expect(ends.filter((end) => end.events.length !== 1 || end.events[0] !== TERMINAL[end.status])).toEqual(
        [],
      );
      // Every journey asked for was started, each onboarding once.
      expect(run.notStarted).toBe(0);
      expect(new Set(started).size).toBe(options.journeys);
      // The transient faults are retried: most journeys complete despite them.
      const completed = ends.filter((end) => end.status === 'completed');
      expect(completed.length).toBeGreaterThan(options.journeys * 0.8);
      // The one fault it may not retry: a dropped token exchange, whose single-use code may be spent.
      expect(
        ends.filter((end) => end.status === 'failed' && end.failure !== 'code_exchange_unconfirmed'),
      ).toEqual([]);
      // Each of jane's completed journeys holds the account this run chose for it.
      for (const jane of run.results.filter((result) => result.user === 'jane' && result.chosenAccountId)) {
        const end = ends.find((candidate) => candidate.id === jane.onboardingId);
        if (end?.status === 'completed') expect(end.chosen).toBe(jane.chosenAccountId);
      }
      // The faults really happened: the simulator saw more token calls than there were journeys.
      expect(run.faults.calls['token'] ?? 0).toBeGreaterThan(options.journeys);
    },
    (deadlineSeconds + 30) * 1000,
  );
});
