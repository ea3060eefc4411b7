import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { JourneyMetrics, METRICS_NAMESPACE } from '../../functions/commons/metric-names.ts';
import { authorizeConnection, EXAMPLES, postConnection } from '../helpers/connections.ts';
import { eventually } from '../helpers/http.ts';
import {
  authorize,
  createOnboarding,
  followRedirect,
  startJourney,
  waitForStatus,
} from '../helpers/journey.ts';

/**
 * The business metrics, as the functions print them (CloudWatch EMF on
 * stdout, which Lambda hands to CloudWatch): each journey counted once, at
 * its commit, with fixed-vocabulary dimensions and nothing that names a
 * person or a journey.
 */
const emfSchema = z
  .object({
    _aws: z.object({
      Timestamp: z.number(),
      CloudWatchMetrics: z.array(
        z.object({
          Namespace: z.string(),
          Dimensions: z.array(z.array(z.string())),
          Metrics: z.array(z.object({ Name: z.string(), Unit: z.string() })),
        }),
      ),
    }),
  })
  .loose();

interface Emitted {
  name: string;
  unit: string;
  value: unknown;
  dimensions: Record<string, unknown>;
  raw: string;
}

const AUTH_LINK_TTL_SECONDS = 600;
const printed: string[] = [];
let stack: LocalStack;

beforeAll(async () => {
  // The functions run in this process: what they print as EMF goes through console.log.
  const original = console.log.bind(console);
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('{"_aws"')) printed.push(args[0]);
    else original(...args);
  });
  stack = await startLocalStack({
    logLevel: 'SILENT',
    retryIntervalMs: 1,
    authLinkTtlSeconds: AUTH_LINK_TTL_SECONDS,
    journeyStallSeconds: 1,
    scheduleIntervalMs: 200,
    metrics: true,
    // Links live the default 600 s; the expiry test moves this clock past that.
    clock: 'controlled',
  });
});

afterAll(async () => {
  await stack?.close();
  vi.restoreAllMocks();
});

function emitted(): Emitted[] {
  return printed.flatMap((raw) => {
    const record = emfSchema.parse(JSON.parse(raw));
    const fields: Record<string, unknown> = z.record(z.string(), z.unknown()).parse(JSON.parse(raw));
    return record._aws.CloudWatchMetrics.flatMap((directive) =>
      directive.Metrics.flatMap((metric) =>
        directive.Dimensions.map((set) => ({
          name: metric.Name,
          unit: metric.Unit,
          value: fields[metric.Name],
          dimensions: Object.fromEntries(set.map((key) => [key, fields[key]])),
          raw,
        })),
      ),
    );
  });
}

const named = (name: string, dimensions: Record<string, string>) =>
  emitted().filter(
    (metric) =>
      metric.name === name &&
      Object.keys(metric.dimensions).length === Object.keys(dimensions).length &&
      Object.entries(dimensions).every(([key, value]) => metric.dimensions[key] === value),
  );

const service = 'signupplus-onboarding';

describe('business metrics (Powertools Metrics, EMF)', () => {
  it('counts a completed journey once, with its time to ready, and names nobody', async () => {
    const { onboardingId } = await startJourney(stack, 'john');
    const view = await waitForStatus(stack, onboardingId, ['completed']);

    const completed = await eventually(
      async () => named(JourneyMetrics.completed, { service, flow: 'data' }),
      (found) => found.length > 0,
      { what: 'OnboardingsCompleted' },
    );
    expect(completed).toHaveLength(1);
    expect(completed[0]?.value).toBe(1);
    const timeToReady = named(JourneyMetrics.timeToReady, { service, flow: 'data' });
    expect(timeToReady).toHaveLength(1);
    expect(timeToReady[0]?.unit).toBe('Milliseconds');
    expect(timeToReady[0]?.value).toEqual(expect.any(Number));
    expect(named(JourneyMetrics.started, { service, flow: 'data' }).length).toBeGreaterThanOrEqual(1);

    // Every record is in the product's namespace and carries no id and no personal data.
    const personal = Object.values({ ...view.user, ...view.account })
      .flatMap((value) => (typeof value === 'string' ? [value] : Object.values(value ?? {})))
      .filter((value): value is string => typeof value === 'string' && value.length > 3);
    expect(personal.length).toBeGreaterThan(2);
    for (const raw of printed) {
      expect(emfSchema.parse(JSON.parse(raw))._aws.CloudWatchMetrics[0]?.Namespace).toBe(METRICS_NAMESPACE);
      expect(raw).not.toContain(onboardingId);
      for (const value of personal) expect(raw).not.toContain(value);
    }
  });

  it('counts a denial as failed by reason and by side (the user’s, which pages nobody)', async () => {
    const endedBefore = named(JourneyMetrics.ended, { service }).length;
    const created = await createOnboarding(stack);
    const redirectTo = await authorize(stack, created.auth_link, 'john', 'deny');
    await followRedirect(redirectTo);
    await waitForStatus(stack, created.onboarding_id, ['failed']);

    const byReason = await eventually(
      async () => named(JourneyMetrics.failed, { service, flow: 'data', reason: 'access_denied' }),
      (found) => found.length > 0,
      { what: 'OnboardingsFailed by reason' },
    );
    expect(byReason).toHaveLength(1);
    expect(named(JourneyMetrics.failed, { service, flow: 'data', side: 'user' })).toHaveLength(1);
    expect(named(JourneyMetrics.failed, { service, flow: 'data' })).toHaveLength(1);
    expect(named(JourneyMetrics.failed, { service, flow: 'data', side: 'ours' })).toHaveLength(0);
    // And across every flow, as the alarms read it: one end, failed for the user's reason.
    expect(named(JourneyMetrics.failed, { service, reason: 'access_denied' })).toHaveLength(1);
    expect(named(JourneyMetrics.failed, { service, side: 'user' })).toHaveLength(1);
    expect(named(JourneyMetrics.ended, { service })).toHaveLength(endedBefore + 1);
  });

  it('counts a mandate journey under its own flow, and its end across every flow', async () => {
    const created = await createOnboarding(stack, {
      flow: 'mandate',
      mandate: {
        currency: 'GBP',
        user: { name: 'Leon Gordon', email: 'leon@example.com' },
        constraints: { maximum_individual_amount_in_minor: 1500 },
      },
    });
    const redirectTo = await authorize(stack, created.auth_link, 'test_executed');
    await followRedirect(redirectTo);
    await waitForStatus(stack, created.onboarding_id, ['completed']);

    const completed = await eventually(
      async () => named(JourneyMetrics.completed, { service, flow: 'mandate' }),
      (found) => found.length > 0,
      { what: 'OnboardingsCompleted for the mandate flow' },
    );
    expect(completed).toHaveLength(1);
    expect(named(JourneyMetrics.started, { service, flow: 'mandate' })).toHaveLength(1);
  });

  it('counts a connection journey under its own flow, from POST /connections to its end', async () => {
    const created = await postConnection(stack, { ...EXAMPLES.hosted_flow, signup_plus: true });
    const { onboarding_id, redirect_to } = z
      .object({ onboarding_id: z.string(), redirect_to: z.string() })
      .parse(created.body);
    await followRedirect(await authorizeConnection(stack, redirect_to, 'approve', 'john'));
    await waitForStatus(stack, onboarding_id, ['completed']);

    const completed = await eventually(
      async () => named(JourneyMetrics.completed, { service, flow: 'connection' }),
      (found) => found.length > 0,
      { what: 'OnboardingsCompleted for the connection flow' },
    );
    expect(completed).toHaveLength(1);
    expect(named(JourneyMetrics.started, { service, flow: 'connection' })).toHaveLength(1);
  });

  it('counts an unused link as expired by reason, and the reconciler reports each run', async () => {
    const created = await createOnboarding(stack);
    stack.clock.advance(AUTH_LINK_TTL_SECONDS + 1);
    await waitForStatus(stack, created.onboarding_id, ['expired']);

    const expired = await eventually(
      async () => named(JourneyMetrics.expired, { service, flow: 'data', reason: 'link_expired' }),
      (found) => found.length > 0,
      { what: 'OnboardingsExpired by reason' },
    );
    expect(expired).toHaveLength(1);
    // Each run reports what it recovered and what it could not fix, zero included, so the alarms see data.
    expect(named(JourneyMetrics.recovered, { service }).length).toBeGreaterThan(0);
    expect(named(JourneyMetrics.reconcileFailures, { service }).length).toBeGreaterThan(0);
  });

  it('counts the journeys that had to choose an account', async () => {
    const { onboardingId } = await startJourney(stack, 'jane');
    await waitForStatus(stack, onboardingId, ['awaiting_account_choice']);

    const required = await eventually(
      async () => named(JourneyMetrics.accountChoiceRequired, { service, flow: 'data' }),
      (found) => found.length > 0,
      { what: 'AccountChoicesRequired' },
    );
    expect(required).toHaveLength(1);
  });
});
