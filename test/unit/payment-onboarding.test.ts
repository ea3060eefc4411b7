import { describe, expect, it } from 'vitest';
import type { CreateOnboardingRequest } from '../../functions/contract/onboarding-requests.ts';
import { createOnboardingRequestSchema } from '../../functions/contract/onboarding-requests.ts';
import { createOnboarding, resourceKey } from '../../functions/onboarding/create-onboarding.ts';
import { InvalidStateError } from '../../functions/onboarding/errors.ts';
import type { Onboarding } from '../../functions/onboarding/model.ts';
import { handlePaymentReturn } from '../../functions/onboarding/payment-return.ts';
import { reconcileOne } from '../../functions/onboarding/reconcile.ts';
import {
  checkPayment,
  PAYMENT_POLL_SECONDS,
  SETTLEMENT_DEADLINE_SECONDS,
} from '../../functions/onboarding/workflow/check-payment.ts';
import { SignupPlusNotEligibleError, TrueLayerUnavailableError } from '../../functions/truelayer/errors.ts';
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

const PAYMENT_ID = 'pay-7f3a';
const payer: SignupPlusIdentity = {
  first_name: 'Tommie',
  last_name: 'Burke',
  account_details: { sort_code: '040004', account_number: '11112222' },
};
const paymentRequest = {
  flow: 'payment',
  reference: 'customer-7',
  payment: { amount_in_minor: 1500, currency: 'GBP', user: { name: 'Tommie Burke', email: 't@example.com' } },
} as const satisfies CreateOnboardingRequest;

/** A payment-flow record as POST /onboardings leaves it (the link expires at 10:15). */
const paymentJourney = (status: Onboarding['status'] = 'awaiting_authorization') =>
  onboardingIn(status, {
    flow: 'payment',
    payment: { payment_id: PAYMENT_ID, amount_in_minor: 1500, currency: 'GBP' },
  });

/** A payment journey and a TrueLayer that answers each look at the payment with the next of `answers`. */
const checking = (answers: PaymentProgress[], identity = async (_: HostedResource) => payer) =>
  checkingJourney(paymentJourney(), answers, identity);

const input = { onboardingId: ONBOARDING_ID };

describe('POST /onboardings with flow payment', () => {
  it('creates the payment first, keyed by the onboarding id, then a record the return route finds by payment id', async () => {
    // Prepare
    const repository = new InMemoryOnboardings();
    const asked: Array<{ onboardingId: string; amount: number }> = [];

    // Act
    const created = await createOnboarding(paymentRequest, {
      repository,
      settings: CREATE_SETTINGS,
      now: fakeClock().now,
      startPayment: async (onboardingId, payment) => {
        asked.push({ onboardingId, amount: payment.amount_in_minor });
        return { id: PAYMENT_ID, link: 'https://checkout.example.test/?payment_id=pay-7f3a' };
      },
      startMandate: noPayments,
    });

    // Assess
    const record = repository.record(created.onboarding_id);
    expect(asked).toEqual([{ onboardingId: created.onboarding_id, amount: 1500 }]);
    expect(created).toMatchObject({
      flow: 'payment',
      payment_id: PAYMENT_ID,
      status: 'awaiting_authorization',
    });
    expect(created.auth_link).toBe('https://checkout.example.test/?payment_id=pay-7f3a');
    expect(record).toMatchObject({
      flow: 'payment',
      reference: 'customer-7',
      payment: { payment_id: PAYMENT_ID, amount_in_minor: 1500, currency: 'GBP' },
    });
    expect(repository.states.get(resourceKey('payment', PAYMENT_ID))?.onboarding_id).toBe(
      created.onboarding_id,
    );
    // The payer's name and email go to TrueLayer only: the record keeps nobody's details.
    expect(JSON.stringify(record)).not.toContain('Tommie');
    expect(repository.secrets.get(created.onboarding_id)?.code_verifier).toBeUndefined();
  });

  it('records nothing when TrueLayer refuses the payment', async () => {
    const repository = new InMemoryOnboardings();

    const creating = createOnboarding(paymentRequest, {
      repository,
      settings: CREATE_SETTINGS,
      now: fakeClock().now,
      startPayment: async () => {
        throw new TrueLayerUnavailableError('create payment: TrueLayer answered 503');
      },
      startMandate: noPayments,
    });

    await expect(creating).rejects.toBeInstanceOf(TrueLayerUnavailableError);
    expect(repository.records.size).toBe(0);
  });

  it('keeps the payment key apart from every state a callback can spend', () => {
    // A state is hashed to 64 hex digits; the payment key cannot be one of them.
    expect(resourceKey('payment', PAYMENT_ID)).toMatch(/^payment:[0-9a-f]{64}$/);
  });

  it.each([
    [{ flow: 'payment' }, 'payment'],
    [{ payment: paymentRequest.payment }, 'payment'],
    [{ ...paymentRequest, providers: ['uk-ob-all'] }, 'providers'],
    [{ ...paymentRequest, payment: { ...paymentRequest.payment, currency: 'USD' } }, 'payment.currency'],
    [
      { ...paymentRequest, payment: { ...paymentRequest.payment, user: { name: 'No Contact' } } },
      'payment.user.email',
    ],
    [
      { ...paymentRequest, payment: { ...paymentRequest.payment, amount_in_minor: 0 } },
      'payment.amount_in_minor',
    ],
  ])('refuses %j, naming %s', (body, field) => {
    const parsed = createOnboardingRequestSchema.safeParse(body);

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain(field);
  });

  it('links to the hosted payment page with the payment, its resource token and the return URI', () => {
    const link = new URL(
      buildPaymentLink({
        hppBaseUrl: 'https://checkout.truelayer-sandbox.com',
        resource: { kind: 'payment', id: PAYMENT_ID },
        resourceToken: 'rt-1',
        returnUri: 'https://api.example.test/payments/return',
      }),
    );

    expect(`${link.origin}${link.pathname}`).toBe('https://checkout.truelayer-sandbox.com/');
    expect(Object.fromEntries(link.searchParams)).toEqual({
      payment_id: PAYMENT_ID,
      resource_token: 'rt-1',
      return_uri: 'https://api.example.test/payments/return',
    });
  });
});

describe('GET /payments/return', () => {
  function returning(status: Onboarding['status'] = 'awaiting_authorization') {
    const repository = new InMemoryOnboardings();
    repository.seed(paymentJourney(status));
    repository.states.set(resourceKey('payment', PAYMENT_ID), {
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
    return { repository, started, deps };
  }

  it('starts the payment workflow and changes no record: the query proves nothing', async () => {
    const { repository, started, deps } = returning();

    const outcome = await handlePaymentReturn({ payment_id: PAYMENT_ID }, deps);

    expect(outcome).toEqual({ onboardingId: ONBOARDING_ID, outcome: 'started' });
    expect(started).toEqual([ONBOARDING_ID]);
    expect(repository.record(ONBOARDING_ID)).toEqual(paymentJourney());
  });

  it('starts nothing for a journey already over', async () => {
    const { started, deps } = returning('completed');

    const outcome = await handlePaymentReturn({ payment_id: PAYMENT_ID }, deps);

    expect(outcome.outcome).toBe('ended');
    expect(started).toEqual([]);
  });

  it('still sends the user on when the workflow cannot be started (the reconciler will)', async () => {
    const { deps } = returning();

    const outcome = await handlePaymentReturn(
      { payment_id: PAYMENT_ID },
      {
        ...deps,
        startWorkflow: async () => {
          throw new Error('StartExecution throttled');
        },
      },
    );

    expect(outcome.outcome).toBe('started');
  });

  it.each([
    [{}, 'missing'],
    [{ payment_id: 'someone-elses-payment' }, 'unknown'],
  ])('refuses %j as %s', async (query, problem) => {
    const { deps } = returning();

    const returned = handlePaymentReturn(query, deps);

    await expect(returned).rejects.toBeInstanceOf(InvalidStateError);
    await expect(returned).rejects.toMatchObject({ problem });
  });
});

describe('CheckPayment', () => {
  it('waits while the user is on the payment page, backing off, never past the link’s expiry', async () => {
    const answers: PaymentProgress[] = Array.from({ length: 4 }, () => ({ status: 'pending' }));
    const { repository, clock, deps } = checking(answers);

    const early = await checkPayment(input, deps);
    clock.advanceSeconds(120);
    const later = await checkPayment(input, deps);
    clock.advanceSeconds(600);
    const latest = await checkPayment(input, deps);
    clock.advanceSeconds(15 * 60 - 720 - 2);
    const last = await checkPayment(input, deps);

    expect(early).toEqual({ next: 'wait', wait_seconds: PAYMENT_POLL_SECONDS.pending });
    expect(later).toEqual({ next: 'wait', wait_seconds: 12 });
    expect(latest).toEqual({ next: 'wait', wait_seconds: PAYMENT_POLL_SECONDS.pendingAtMost });
    expect(last).toEqual({ next: 'wait', wait_seconds: 2 });
    expect(repository.record(ONBOARDING_ID).status).toBe('awaiting_authorization');
  });

  it('ends expired when the payment is still unpaid at the link’s expiry', async () => {
    const { repository, events, clock, deps } = checking([{ status: 'pending' }]);
    clock.advanceSeconds(15 * 60);

    const result = await checkPayment(input, deps);

    expect(result.next).toBe('end');
    expect(repository.record(ONBOARDING_ID)).toMatchObject({
      status: 'expired',
      failure: { reason: 'link_expired' },
    });
    expect(events.types()).toEqual(['Onboarding Expired']);
  });

  it('records the authorisation once, then waits for the money', async () => {
    const { repository, events, deps } = checking([{ status: 'authorized' }, { status: 'authorized' }]);

    const first = await checkPayment(input, deps);
    const second = await checkPayment(input, deps);

    const record = repository.record(ONBOARDING_ID);
    expect(first).toEqual({ next: 'wait', wait_seconds: PAYMENT_POLL_SECONDS.authorized });
    expect(second).toEqual(first);
    expect(record.status).toBe('authorized');
    expect(record.timeline.filter((entry) => entry.step === 'user_authorized')).toHaveLength(1);
    expect(events.published).toEqual([]);
  });

  it('ends failed when an authorised payment has not settled by its deadline', async () => {
    const { repository, clock, deps } = checking([{ status: 'authorized' }, { status: 'authorized' }]);
    await checkPayment(input, deps);
    clock.advanceSeconds(15 * 60 + SETTLEMENT_DEADLINE_SECONDS);

    const result = await checkPayment(input, deps);

    expect(result.next).toBe('end');
    expect(repository.record(ONBOARDING_ID)).toMatchObject({
      status: 'failed',
      failure: { reason: 'payment_not_settled' },
    });
  });

  it('completes a settled payment with its payer, announcing the payment id', async () => {
    const { repository, events, deps } = checking([{ status: 'settled' }]);

    const result = await checkPayment(input, deps);

    const record = repository.record(ONBOARDING_ID);
    expect(result.next).toBe('end');
    expect(record.status).toBe('completed');
    expect(record.user).toEqual({ first_name: 'Tommie', last_name: 'Burke' });
    expect(record.account).toEqual(payer.account_details);
    expect(record.timeline.map((entry) => entry.step)).toEqual([
      'onboarding_created',
      'user_authorized',
      'payment_settled',
      'identity_stored',
      'ready_for_payment',
    ]);
    expect(events.published.map((event) => event.detail)).toEqual([
      expect.objectContaining({ payment_id: PAYMENT_ID, user: record.user }),
    ]);
  });

  it('carries on only what reads as TrueLayer’s codes, never free text', async () => {
    const { repository, deps } = checking([
      {
        status: 'failed',
        failureStage: 'authorizing',
        failureReason: 'Bank said: call 0800 123 for Mr Smith',
      },
    ]);

    await checkPayment(input, deps);

    expect(repository.record(ONBOARDING_ID).failure?.payment).toEqual({ failure_stage: 'authorizing' });
  });

  it('ends failed with TrueLayer’s stage and reason for a failed payment', async () => {
    const { repository, events, deps } = checking([
      { status: 'failed', failureStage: 'authorizing', failureReason: 'canceled' },
    ]);

    await checkPayment(input, deps);

    expect(repository.record(ONBOARDING_ID).failure).toMatchObject({
      reason: 'payment_failed',
      payment: { failure_stage: 'authorizing', failure_reason: 'canceled' },
    });
    expect(events.types()).toEqual(['Onboarding Failed']);
  });

  it('ends failed with Signup+’s reason when it has no data for the payer', async () => {
    const { repository, deps } = checking([{ status: 'settled' }], async () => {
      throw new SignupPlusNotEligibleError('not found', { ineligibility: 'user_data_not_found' });
    });

    await checkPayment(input, deps);

    const record = repository.record(ONBOARDING_ID);
    expect(record.failure?.reason).toBe('user_data_not_found');
    expect(record.timeline.map((entry) => entry.step)).toContain('payment_settled');
  });

  it('leaves TrueLayer being down to the state machine’s Retry, recording nothing', async () => {
    const { repository, deps } = checking([]);
    deps.payments.progress = async () => {
      throw new TrueLayerUnavailableError('get payment: TrueLayer answered 503');
    };

    await expect(checkPayment(input, deps)).rejects.toBeInstanceOf(TrueLayerUnavailableError);
    expect(repository.record(ONBOARDING_ID)).toEqual(paymentJourney());
  });

  it('only settles a journey already over, without asking TrueLayer', async () => {
    const { repository, looks, deps } = checking([]);
    repository.seed(paymentJourney('expired'));

    const result = await checkPayment(input, deps);

    expect(result.next).toBe('end');
    expect(looks).toEqual([]);
  });
});

describe('the reconciler and a payment journey', () => {
  function reconciling(status: Onboarding['status'], workflow: 'running' | 'ended' | 'not_found') {
    const repository = new InMemoryOnboardings();
    repository.seed(paymentJourney(status));
    const clock = fakeClock();
    const started: Array<[string, string]> = [];
    const described: string[] = [];
    const deps = {
      repository,
      publish: fakePublisher().publish,
      now: clock.now,
      batchSize: 10,
      workflowState: async (_id: string, flow: string) => {
        described.push(flow);
        return workflow;
      },
      startWorkflow: async (id: string, flow: string) => {
        started.push([id, flow]);
      },
      resumeWorkflow: async () => 'resumed' as const,
    };
    return { repository, clock, started, described, deps };
  }

  it('waits while the payment link is open', async () => {
    const { started, deps } = reconciling('awaiting_authorization', 'not_found');

    expect(await reconcileOne(ONBOARDING_ID, deps)).toBe('waiting');
    expect(started).toEqual([]);
  });

  it('asks the payment workflow, not the clock, once the link is past its time: the user may have paid', async () => {
    const { repository, clock, started, described, deps } = reconciling(
      'awaiting_authorization',
      'not_found',
    );
    clock.advanceSeconds(15 * 60 + 1);

    const outcome = await reconcileOne(ONBOARDING_ID, deps);

    expect(outcome).toBe('started');
    expect(described).toEqual(['payment']);
    expect(started).toEqual([[ONBOARDING_ID, 'payment']]);
    expect(repository.record(ONBOARDING_ID).status).toBe('awaiting_authorization');
  });

  it('ends the journey when its payment workflow is over without having recorded an end', async () => {
    const { repository, deps } = reconciling('authorized', 'ended');

    expect(await reconcileOne(ONBOARDING_ID, deps)).toBe('ended');
    expect(repository.record(ONBOARDING_ID).failure?.reason).toBe('internal_error');
  });
});
