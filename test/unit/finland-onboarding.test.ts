import { describe, expect, it } from 'vitest';
import { createOnboardingRequestSchema } from '../../functions/contract/onboarding-requests.ts';
import { toOnboardingView } from '../../functions/onboarding/get-onboarding.ts';
import { handleIdentificationReturn } from '../../functions/onboarding/identification-return.ts';
import type { JourneySecrets, Onboarding } from '../../functions/onboarding/model.ts';
import { reconcileOne } from '../../functions/onboarding/reconcile.ts';
import { sha256 } from '../../functions/onboarding/state-token.ts';
import { checkPayment } from '../../functions/onboarding/workflow/check-payment.ts';
import { TrueLayerRejectedError } from '../../functions/truelayer/errors.ts';
import type { PaymentProgress } from '../../functions/truelayer/payments-client.ts';
import type { SignupPlusIdentity } from '../../functions/truelayer/schemas.ts';
import {
  checkingJourney,
  fakeClock,
  fakePublisher,
  IDENTIFICATION_RETURN_URL,
  InMemoryOnboardings,
  ONBOARDING_ID,
  onboardingIn,
} from './fakes/onboarding.ts';

/*
 * Signup+ in Finland: a euro payment, then the payer identifies at their bank
 * (TrueLayer's auth URI), comes back to GET /identification/return, and only
 * then does Signup+ name them. The payment workflow's one step drives it.
 */

const PAYMENT_ID = 'pay-fi-1';
const AUTH_URI = 'https://identify.example.test/redirect?id=8636&uuid=b912';
const payer: SignupPlusIdentity = {
  first_name: 'Aino',
  last_name: 'Virtanen',
  date_of_birth: '1988-04-12',
  national_identification_number: '120488-123B',
  sex: 'F',
  address: { address_line1: 'Mannerheimintie 5', city: 'Helsinki', zip: '00100', country: 'FI' },
  account_details: { iban: 'FI2112345600000785', provider_id: 'fi-op' },
};

const finnishJourney = (
  status: Onboarding['status'] = 'awaiting_authorization',
  extra: Partial<Onboarding> = {},
) =>
  onboardingIn(status, {
    flow: 'payment',
    payment: { payment_id: PAYMENT_ID, amount_in_minor: 1500, currency: 'EUR' },
    ...extra,
  });

/** A record waiting for the user at their bank, as CheckPayment leaves it at 10:00. */
const waitingJourney = () =>
  finnishJourney('awaiting_identification', {
    identification: { link: AUTH_URI, expires_at: '2026-03-01T10:15:00.000Z' },
  });

function checking(
  journey: Onboarding,
  answers: PaymentProgress[],
  options: {
    secrets?: JourneySecrets;
    link?: string;
    identity?: (options?: { authorizationReference?: string | undefined }) => Promise<SignupPlusIdentity>;
  } = {},
) {
  const references: Array<string | undefined> = [];
  const checked = checkingJourney(
    journey,
    answers,
    async (_resource, asked) => {
      references.push(asked?.authorizationReference);
      return options.identity ? options.identity(asked) : payer;
    },
    {
      ...(options.secrets ? { secrets: options.secrets } : {}),
      identificationLink: async () => options.link ?? AUTH_URI,
    },
  );
  return { ...checked, references };
}

const input = { onboardingId: ONBOARDING_ID };
const steps = (onboarding: Onboarding) => onboarding.timeline.map((entry) => entry.step);

describe('POST /onboardings for Finland', () => {
  it('takes a payment in euros, and still refuses any other currency by name', () => {
    // Prepare
    const body = (currency: string) => ({
      flow: 'payment',
      payment: { amount_in_minor: 1500, currency, user: { name: 'Aino Virtanen', email: 'aino@example.fi' } },
    });

    // Act
    const euros = createOnboardingRequestSchema.safeParse(body('EUR'));
    const crowns = createOnboardingRequestSchema.safeParse(body('SEK'));

    // Assess
    expect(euros.success).toBe(true);
    expect(crowns.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['payment.currency']);
  });
});

describe('CheckPayment for a euro payment', () => {
  it('asks for the identification link once the payment is executed, and shows it with its deadline', async () => {
    // Prepare
    const { repository, linksAsked, deps, asked } = checking(finnishJourney(), [{ status: 'executed' }]);

    // Act
    const result = await checkPayment(input, deps);

    // Assess: the link is on the record, its state leads to this journey, and Signup+ was not asked yet
    const record = repository.record(ONBOARDING_ID);
    expect(result).toEqual({ next: 'wait', wait_seconds: 3 });
    expect(record.status).toBe('awaiting_identification');
    expect(record.identification).toEqual({
      link: AUTH_URI,
      // The fakes' link lifetime: 900 s from 10:00.
      expires_at: '2026-03-01T10:15:00.000Z',
    });
    expect(steps(record)).toEqual([
      'onboarding_created',
      'user_authorized',
      'payment_executed',
      'identification_required',
    ]);
    expect(linksAsked).toHaveLength(1);
    expect(linksAsked[0]?.paymentId).toBe(PAYMENT_ID);
    const state = repository.states.get(sha256(linksAsked[0]?.state ?? ''));
    expect(state?.onboarding_id).toBe(ONBOARDING_ID);
    expect(asked).toEqual([]);
  });

  it('waits for the money as a UK payment does while the euro payment is only authorised', async () => {
    // Prepare
    const { repository, linksAsked, deps } = checking(finnishJourney(), [{ status: 'authorized' }]);

    // Act
    const result = await checkPayment(input, deps);

    // Assess
    expect(result.next).toBe('wait');
    expect(repository.record(ONBOARDING_ID).status).toBe('authorized');
    expect(linksAsked).toEqual([]);
  });

  it('does not complete a settled euro payment without the identification', async () => {
    // Prepare
    const { repository, asked, deps } = checking(finnishJourney('authorized'), [{ status: 'settled' }]);

    // Act
    await checkPayment(input, deps);

    // Assess
    expect(repository.record(ONBOARDING_ID).status).toBe('awaiting_identification');
    expect(asked).toEqual([]);
  });

  it('reads only the record while the user is at their bank: TrueLayer is not asked again', async () => {
    // Prepare: no answers queued, so any look at the payment fails the test
    const { deps, looks, clock } = checking(waitingJourney(), []);
    clock.advanceSeconds(60);

    // Act
    const result = await checkPayment(input, deps);

    // Assess
    expect(result).toEqual({ next: 'wait', wait_seconds: 3 });
    expect(looks).toEqual([]);
  });

  it('ends the journey expired when the user does not identify before the deadline', async () => {
    // Prepare
    const { repository, events, deps, clock } = checking(waitingJourney(), []);
    clock.advanceSeconds(15 * 60);

    // Act
    const result = await checkPayment(input, deps);

    // Assess
    const record = repository.record(ONBOARDING_ID);
    expect(result.next).toBe('end');
    expect(record.status).toBe('expired');
    expect(record.failure?.reason).toBe('identification_expired');
    expect(events.published.map((event) => event.detail_type)).toEqual(['Onboarding Expired']);
  });

  it('ends the journey failed with the denial a return kept but could not record', async () => {
    // Prepare
    const denial = {
      reason: 'access_denied',
      detail: 'The user declined to share their bank data.',
    } as const;
    const { repository, deps } = checking(waitingJourney(), [], { secrets: { denial } });

    // Act
    await checkPayment(input, deps);

    // Assess
    expect(repository.record(ONBOARDING_ID).status).toBe('failed');
    expect(repository.record(ONBOARDING_ID).failure?.reason).toBe('access_denied');
  });

  it('completes an identified journey with the payer Signup+ names, passing on the bank’s reference', async () => {
    // Prepare
    const { repository, events, deps, references } = checking(finnishJourney('identified'), [], {
      secrets: { authorization_reference: 'ref-77' },
    });

    // Act
    const result = await checkPayment(input, deps);

    // Assess
    const record = repository.record(ONBOARDING_ID);
    expect(result.next).toBe('end');
    expect(record.status).toBe('completed');
    expect(record.user).toMatchObject({ first_name: 'Aino', national_identification_number: '120488-123B' });
    expect(record.account).toEqual({ iban: 'FI2112345600000785', provider_id: 'fi-op' });
    expect(references).toEqual(['ref-77']);
    const [ready] = events.published;
    expect(ready?.detail_type).toBe('Onboarding Ready For Payment');
    expect(ready?.detail).toMatchObject({ payment_id: PAYMENT_ID, account: { iban: 'FI2112345600000785' } });
  });

  it('asks Signup+ without a reference when the bank gave none', async () => {
    // Prepare
    const { deps, references } = checking(finnishJourney('identified'), []);

    // Act
    await checkPayment(input, deps);

    // Assess
    expect(references).toEqual([undefined]);
  });

  it.each([
    ['authorization_expired', 'expired', 'identification_expired'],
    ['authorisation_expired', 'expired', 'identification_expired'],
    ['user_data_not_found', 'failed', 'truelayer_refused'],
  ] as const)('ends on Signup+ answering %s: %s (%s)', async (reason, status, failure) => {
    // Prepare
    const refusal = new TrueLayerRejectedError('signup-plus payment identity: TrueLayer answered 400', {
      reason,
      status: 400,
    });
    const { repository, deps } = checking(finnishJourney('identified'), [], {
      identity: async () => {
        throw refusal;
      },
    });

    // Act
    await checkPayment(input, deps);

    // Assess
    expect(repository.record(ONBOARDING_ID).status).toBe(status);
    expect(repository.record(ONBOARDING_ID).failure?.reason).toBe(failure);
  });

  it('goes straight on when TrueLayer already knows the payer (the link is the product’s own return)', async () => {
    // Prepare
    const { repository, deps, asked } = checking(finnishJourney('authorized'), [{ status: 'executed' }], {
      link: `${IDENTIFICATION_RETURN_URL}?state=abc`,
    });

    // Act
    const result = await checkPayment(input, deps);

    // Assess
    const record = repository.record(ONBOARDING_ID);
    expect(result.next).toBe('end');
    expect(record.status).toBe('completed');
    expect(steps(record)).toContain('user_identified');
    expect(record.identification).toBeUndefined();
    expect(asked).toHaveLength(1);
  });

  it('ends the journey failed with TrueLayer’s refusal when no link is given', async () => {
    // Prepare
    const { repository, deps } = checkingJourney(
      finnishJourney('authorized'),
      [{ status: 'executed' }],
      async () => payer,
      {
        identificationLink: async () => {
          throw new TrueLayerRejectedError('signup-plus auth uri: TrueLayer answered 403', {
            reason: 'forbidden',
            status: 403,
          });
        },
      },
    );

    // Act
    await checkPayment(input, deps);

    // Assess
    expect(repository.record(ONBOARDING_ID).status).toBe('failed');
    expect(repository.record(ONBOARDING_ID).failure?.reason).toBe('truelayer_refused');
  });
});

describe('GET /identification/return', () => {
  const STATE = 'state-of-the-identification';

  function returning(status: Onboarding['status'] = 'awaiting_identification') {
    const repository = new InMemoryOnboardings();
    repository.seed(status === 'awaiting_identification' ? waitingJourney() : finnishJourney(status), {});
    repository.states.set(sha256(STATE), { onboarding_id: ONBOARDING_ID, expires_at_epoch: 2_000_000_000 });
    const events = fakePublisher();
    return { repository, events, deps: { repository, publish: events.publish, now: fakeClock().now } };
  }

  it('keeps the bank’s reference server-side and marks the journey identified, once for reloads', async () => {
    // Prepare
    const { repository, deps } = returning();
    const query = { state: STATE, authorization_reference: 'ref-77' };

    // Act
    const first = await handleIdentificationReturn(query, deps);
    const reload = await handleIdentificationReturn(query, deps);

    // Assess
    expect(first).toEqual({ onboardingId: ONBOARDING_ID, outcome: 'identified' });
    expect(reload).toEqual(first);
    expect(repository.record(ONBOARDING_ID).status).toBe('identified');
    expect(steps(repository.record(ONBOARDING_ID)).filter((step) => step === 'user_identified')).toHaveLength(
      1,
    );
    expect(repository.secrets.get(ONBOARDING_ID)?.authorization_reference).toBe('ref-77');
    expect(JSON.stringify(repository.record(ONBOARDING_ID))).not.toContain('ref-77');
  });

  it('refuses a spent state used for another outcome, and a state it does not know', async () => {
    // Prepare
    const { deps } = returning();
    await handleIdentificationReturn({ state: STATE, authorization_reference: 'ref-77' }, deps);

    // Act
    const replay = handleIdentificationReturn({ state: STATE, authorization_reference: 'ref-other' }, deps);
    const unknown = handleIdentificationReturn({ state: 'never-issued' }, deps);
    const missing = handleIdentificationReturn({}, deps);

    // Assess
    await expect(replay).rejects.toMatchObject({ name: 'InvalidStateError' });
    await expect(unknown).rejects.toMatchObject({ name: 'InvalidStateError' });
    await expect(missing).rejects.toMatchObject({ name: 'InvalidStateError' });
  });

  it('ends the journey failed when the user or their bank refused the identification', async () => {
    // Prepare
    const { repository, events, deps } = returning();

    // Act
    const back = await handleIdentificationReturn({ state: STATE, error: 'access_denied' }, deps);

    // Assess
    expect(back.outcome).toBe('denied');
    expect(repository.record(ONBOARDING_ID).status).toBe('failed');
    expect(repository.record(ONBOARDING_ID).failure?.reason).toBe('access_denied');
    expect(events.published.map((event) => event.detail_type)).toEqual(['Onboarding Failed']);
  });

  it('keeps the denial before ending, so a failed end write still ends the journey at the next look', async () => {
    // Prepare
    const { repository, deps } = returning();
    repository.failNext('transition');

    // Act
    const back = handleIdentificationReturn({ state: STATE, error: 'access_denied' }, deps);
    await expect(back).rejects.toThrow();
    const next = checkingJourney(repository.record(ONBOARDING_ID), [], async () => payer, {
      secrets: repository.secrets.get(ONBOARDING_ID) ?? {},
    });
    await checkPayment(input, next.deps);

    // Assess: the return could not end it, the workflow's next look did, with the user's reason
    expect(repository.record(ONBOARDING_ID).status).toBe('awaiting_identification');
    expect(next.repository.record(ONBOARDING_ID).status).toBe('failed');
    expect(next.repository.record(ONBOARDING_ID).failure?.reason).toBe('access_denied');
  });

  it('keeps the return before moving the record, so a failed write still completes at the next look', async () => {
    // Prepare
    const { repository, deps } = returning();
    repository.failNext('transition');

    // Act: the return cannot move the record on, and the user never reloads
    const back = handleIdentificationReturn({ state: STATE, authorization_reference: 'ref-9' }, deps);
    await expect(back).rejects.toThrow();
    const next = checking(repository.record(ONBOARDING_ID), [], {
      secrets: repository.secrets.get(ONBOARDING_ID) ?? {},
    });
    await checkPayment(input, next.deps);

    // Assess
    expect(repository.record(ONBOARDING_ID).status).toBe('awaiting_identification');
    expect(next.repository.record(ONBOARDING_ID).status).toBe('completed');
    expect(steps(next.repository.record(ONBOARDING_ID))).toContain('user_identified');
    expect(next.references).toEqual(['ref-9']);
  });

  it('changes nothing for a journey that already ended', async () => {
    // Prepare
    const { repository, deps } = returning('expired');
    const before = repository.record(ONBOARDING_ID);

    // Act
    await handleIdentificationReturn({ state: STATE, authorization_reference: 'late' }, deps);

    // Assess
    expect(repository.record(ONBOARDING_ID)).toEqual(before);
  });
});

describe('GET /onboardings/{id} of a Finnish journey', () => {
  it('shows the identification link while the journey waits for it, and never after', () => {
    // Prepare
    const waiting = waitingJourney();
    const identified = { ...waitingJourney(), status: 'identified' as const };

    // Act
    const views = [toOnboardingView(waiting), toOnboardingView(identified)];

    // Assess
    expect(views[0]?.identification).toEqual({ link: AUTH_URI, expires_at: '2026-03-01T10:15:00.000Z' });
    expect(views[1]).not.toHaveProperty('identification');
  });
});

describe('the reconciler and a Finnish journey', () => {
  it('starts the payment workflow for a journey waiting on the identification with no execution', async () => {
    // Prepare
    const repository = new InMemoryOnboardings();
    repository.seed(waitingJourney(), {});
    const started: string[] = [];

    // Act
    const outcome = await reconcileOne(ONBOARDING_ID, {
      repository,
      publish: fakePublisher().publish,
      now: fakeClock().now,
      workflowState: async () => 'not_found',
      startWorkflow: async (id, flow) => {
        started.push(`${flow}:${id}`);
      },
      resumeWorkflow: async () => 'resumed',
      batchSize: 10,
    });

    // Assess
    expect(outcome).toBe('started');
    expect(started).toEqual([`payment:${ONBOARDING_ID}`]);
  });
});
