import { describe, expect, it } from 'vitest';
import {
  type CreateOnboardingRequest,
  createOnboardingRequestSchema,
} from '../../functions/contract/onboarding-requests.ts';
import { createOnboarding, resourceKey } from '../../functions/onboarding/create-onboarding.ts';
import type { Onboarding } from '../../functions/onboarding/model.ts';
import { handlePaymentReturn } from '../../functions/onboarding/payment-return.ts';
import { reconcileOne } from '../../functions/onboarding/reconcile.ts';
import { checkPayment } from '../../functions/onboarding/workflow/check-payment.ts';
import { SignupPlusNotEligibleError } from '../../functions/truelayer/errors.ts';
import { buildPaymentLink } from '../../functions/truelayer/payment-link.ts';
import type { HostedResource, PaymentProgress } from '../../functions/truelayer/payments-client.ts';
import type { SignupPlusIdentity } from '../../functions/truelayer/schemas.ts';
import {
  CREATE_SETTINGS,
  checkingJourney,
  fakeClock,
  fakePublisher,
  InMemoryOnboardings,
  noPayments,
  ONBOARDING_ID,
  onboardingIn,
} from './fakes/onboarding.ts';

/*
 * The mandate flow: a sweeping VRP mandate the user gives on TrueLayer's
 * hosted page, followed by the payment workflow's loop, and the giver's
 * identity from Signup+ once the mandate is authorised.
 */

const MANDATE_ID = 'man-51c0';
const giver: SignupPlusIdentity = {
  first_name: 'Leon',
  last_name: 'Gordon',
  account_details: { sort_code: '040004', account_number: '33334444' },
};
const mandateRequest = {
  flow: 'mandate',
  reference: 'customer-9',
  mandate: {
    currency: 'GBP',
    user: { name: 'Leon Gordon', phone: '+447700900123' },
    constraints: {
      maximum_individual_amount_in_minor: 5000,
      periodic_limits: { month: { maximum_amount_in_minor: 20000 } },
    },
  },
} as const satisfies CreateOnboardingRequest;

/** A mandate-flow record as POST /onboardings leaves it (the link expires at 10:15). */
const mandateJourney = (status: Onboarding['status'] = 'awaiting_authorization') =>
  onboardingIn(status, {
    flow: 'mandate',
    mandate: { mandate_id: MANDATE_ID, currency: 'GBP', maximum_individual_amount_in_minor: 5000 },
  });

/** A mandate journey and a TrueLayer that answers each look with the next of `answers`. */
const checking = (answers: PaymentProgress[], identity = async (_: HostedResource) => giver) =>
  checkingJourney(mandateJourney(), answers, identity);

const input = { onboardingId: ONBOARDING_ID };

describe('POST /onboardings with flow mandate', () => {
  it('creates the mandate first, then a record the return route finds by mandate id, keeping nobody’s details', async () => {
    // Prepare
    const repository = new InMemoryOnboardings();
    const asked: Array<{ onboardingId: string; limit: number }> = [];

    // Act
    const created = await createOnboarding(mandateRequest, {
      repository,
      settings: CREATE_SETTINGS,
      now: fakeClock().now,
      startPayment: noPayments,
      startMandate: async (onboardingId, mandate) => {
        asked.push({ onboardingId, limit: mandate.constraints.maximum_individual_amount_in_minor });
        return { id: MANDATE_ID, link: 'https://checkout.example.test/?mandate_id=man-51c0' };
      },
    });

    // Assess
    const record = repository.record(created.onboarding_id);
    expect(asked).toEqual([{ onboardingId: created.onboarding_id, limit: 5000 }]);
    expect(created).toMatchObject({
      flow: 'mandate',
      mandate_id: MANDATE_ID,
      status: 'awaiting_authorization',
    });
    expect(created).not.toHaveProperty('payment_id');
    expect(record).toMatchObject({
      flow: 'mandate',
      mandate: { mandate_id: MANDATE_ID, currency: 'GBP', maximum_individual_amount_in_minor: 5000 },
    });
    expect(repository.states.get(resourceKey('mandate', MANDATE_ID))?.onboarding_id).toBe(
      created.onboarding_id,
    );
    expect(repository.states.has(resourceKey('payment', MANDATE_ID))).toBe(false);
    expect(JSON.stringify(record)).not.toMatch(/Leon|7700900123/);
  });

  it.each([
    [{ flow: 'mandate' }, 'mandate'],
    [{ mandate: mandateRequest.mandate }, 'mandate'],
    [{ ...mandateRequest, provider_id: 'ob-monzo' }, 'providers'],
    [{ ...mandateRequest, mandate: { ...mandateRequest.mandate, currency: 'EUR' } }, 'mandate.currency'],
    [
      { ...mandateRequest, mandate: { ...mandateRequest.mandate, constraints: {} } },
      'mandate.constraints.maximum_individual_amount_in_minor',
    ],
    [
      {
        ...mandateRequest,
        mandate: {
          ...mandateRequest.mandate,
          constraints: {
            maximum_individual_amount_in_minor: 5000,
            periodic_limits: { decade: { maximum_amount_in_minor: 1 } },
          },
        },
      },
      'mandate.constraints.periodic_limits',
    ],
    [
      {
        ...mandateRequest,
        payment: { amount_in_minor: 1, currency: 'GBP', user: { name: 'A', email: 'a@b.co' } },
      },
      'payment',
    ],
  ])('refuses %j, naming %s', (body, field) => {
    const parsed = createOnboardingRequestSchema.safeParse(body);

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain(field);
  });

  it('links to the hosted page with the mandate, its resource token and the return URI', () => {
    const link = new URL(
      buildPaymentLink({
        hppBaseUrl: 'https://checkout.truelayer-sandbox.com',
        resource: { kind: 'mandate', id: MANDATE_ID },
        resourceToken: 'rt-9',
        returnUri: 'https://api.example.test/payments/return',
      }),
    );

    expect(Object.fromEntries(link.searchParams)).toEqual({
      mandate_id: MANDATE_ID,
      resource_token: 'rt-9',
      return_uri: 'https://api.example.test/payments/return',
    });
  });
});

describe('GET /payments/return from a mandate', () => {
  it('finds the journey by its mandate id and starts the workflow; a payment id of the same value finds nothing', async () => {
    const repository = new InMemoryOnboardings();
    repository.seed(mandateJourney());
    repository.states.set(resourceKey('mandate', MANDATE_ID), {
      onboarding_id: ONBOARDING_ID,
      expires_at_epoch: 0,
    });
    const started: string[] = [];
    const deps = {
      repository,
      startWorkflow: async (id: string) => {
        started.push(id);
      },
    };

    const outcome = await handlePaymentReturn({ mandate_id: MANDATE_ID }, deps);
    const confused = handlePaymentReturn({ payment_id: MANDATE_ID }, deps);

    expect(outcome).toEqual({ onboardingId: ONBOARDING_ID, outcome: 'started' });
    await expect(confused).rejects.toMatchObject({ problem: 'unknown' });
    expect(started).toEqual([ONBOARDING_ID]);
    expect(repository.record(ONBOARDING_ID)).toEqual(mandateJourney());
  });
});

describe('CheckPayment with a mandate', () => {
  it('looks at the mandate, not a payment, and waits while the user is on the page', async () => {
    const { looks, deps } = checking([{ status: 'pending' }]);

    const result = await checkPayment(input, deps);

    expect(result.next).toBe('wait');
    expect(looks).toEqual([{ kind: 'mandate', id: MANDATE_ID }]);
  });

  it('completes once the mandate is authorised, without waiting for money, announcing the mandate id', async () => {
    const { repository, events, asked, deps } = checking([{ status: 'authorized' }]);

    const result = await checkPayment(input, deps);

    const record = repository.record(ONBOARDING_ID);
    expect(result.next).toBe('end');
    expect(asked).toEqual([{ kind: 'mandate', id: MANDATE_ID }]);
    expect(record.status).toBe('completed');
    expect(record.user).toEqual({ first_name: 'Leon', last_name: 'Gordon' });
    expect(record.timeline.map((entry) => entry.step)).toEqual([
      'onboarding_created',
      'user_authorized',
      'mandate_authorized',
      'identity_stored',
      'ready_for_payment',
    ]);
    const [ready] = events.published.map((event) => event.detail);
    expect(ready).toMatchObject({ mandate_id: MANDATE_ID, user: record.user });
    expect(ready).not.toHaveProperty('payment_id');
  });

  it.each([
    [{ failureStage: 'authorizing', failureReason: 'authorization_failed' }],
    [{ failureStage: undefined, failureReason: 'revoked' }],
  ])('ends failed with mandate_failed and TrueLayer’s codes (%j)', async (codes) => {
    const { repository, events, deps } = checking([{ status: 'failed', ...codes }]);

    await checkPayment(input, deps);

    const failure = repository.record(ONBOARDING_ID).failure;
    expect(failure?.reason).toBe('mandate_failed');
    expect(failure?.mandate).toEqual({
      ...(codes.failureStage === undefined ? {} : { failure_stage: codes.failureStage }),
      failure_reason: codes.failureReason,
    });
    expect(failure).not.toHaveProperty('payment');
    expect(events.types()).toEqual(['Onboarding Failed']);
  });

  it('ends expired when the mandate is still not given at the link’s expiry', async () => {
    const { repository, clock, deps } = checking([{ status: 'pending' }]);
    clock.advanceSeconds(15 * 60);

    await checkPayment(input, deps);

    expect(repository.record(ONBOARDING_ID)).toMatchObject({
      status: 'expired',
      failure: { reason: 'link_expired' },
    });
  });

  it('ends failed with Signup+’s reason when it has no data for the giver', async () => {
    const { repository, deps } = checking([{ status: 'authorized' }], async () => {
      throw new SignupPlusNotEligibleError('not found', { ineligibility: 'user_data_not_found' });
    });

    await checkPayment(input, deps);

    const record = repository.record(ONBOARDING_ID);
    expect(record.failure?.reason).toBe('user_data_not_found');
    expect(record.timeline.map((entry) => entry.step)).toContain('mandate_authorized');
  });
});

describe('the reconciler and a mandate journey', () => {
  it('asks the workflow once the link is past its time, on the payment workflow’s machine', async () => {
    const repository = new InMemoryOnboardings();
    repository.seed(mandateJourney());
    const clock = fakeClock();
    const started: Array<[string, string]> = [];
    clock.advanceSeconds(15 * 60 + 1);

    const outcome = await reconcileOne(ONBOARDING_ID, {
      repository,
      publish: fakePublisher().publish,
      now: clock.now,
      batchSize: 10,
      workflowState: async () => 'not_found',
      startWorkflow: async (id, flow) => {
        started.push([id, flow]);
      },
      resumeWorkflow: async () => 'resumed',
    });

    expect(outcome).toBe('started');
    expect(started).toEqual([[ONBOARDING_ID, 'mandate']]);
    expect(repository.record(ONBOARDING_ID).status).toBe('awaiting_authorization');
  });
});
