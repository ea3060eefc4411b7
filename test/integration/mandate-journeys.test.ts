import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../helpers/http.ts';
import {
  authorize,
  createOnboarding,
  followRedirect,
  statesVisited,
  waitForStatus,
} from '../helpers/journey.ts';
import { clientCredentialsToken } from '../helpers/truelayer-token.ts';

/*
 * The mandate flow end to end, against the simulator's Payments v3 mandates
 * (signed creation, the hosted page, mock users) and its Signup+ by mandate.
 * TrueLayer documents its sandbox's choice of identity by amount for payments
 * only; the simulator applies the same rule to the mandate's largest single
 * payment, which is how these tests reach each answer.
 */

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1 });
});

afterAll(async () => {
  await stack?.close();
});

const giver = { name: 'Leon Gordon', email: 'leon@example.com' };
const mandateBody = (maximumInMinor: number, reference = 'customer-9') => ({
  flow: 'mandate',
  reference,
  mandate: {
    currency: 'GBP',
    user: giver,
    constraints: {
      maximum_individual_amount_in_minor: maximumInMinor,
      periodic_limits: {
        month: { maximum_amount_in_minor: maximumInMinor * 4, period_alignment: 'calendar' },
      },
    },
  },
});

/** Gives (or cancels) the mandate on the hosted page as `user` and comes back to the product's return route. */
async function giveAndReturn(authLink: string, user: string, decision: 'approve' | 'deny' = 'approve') {
  const redirectTo = await authorize(stack, authLink, user, decision);
  return followRedirect(redirectTo);
}

describe('mandate flow', () => {
  it('takes an authorised mandate to a Ready For Payment event naming the mandate and its giver', async () => {
    // Prepare
    const created = await createOnboarding(stack, mandateBody(1500));
    const link = new URL(created.auth_link);

    // Act
    const back = await giveAndReturn(created.auth_link, 'test_executed');
    const done = await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);

    // Assess: the link is the hosted page for this mandate, returning to the product
    expect(created.flow).toBe('mandate');
    expect(created.mandate_id).toEqual(expect.any(String));
    expect(`${link.origin}${link.pathname}`).toBe(`${stack.urls.truelayer_auth}/checkout/`);
    expect(link.searchParams.get('mandate_id')).toBe(created.mandate_id);
    expect(link.searchParams.has('payment_id')).toBe(false);
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe(`${stack.urls.api}/?onboarding_id=${created.onboarding_id}`);
    // Assess: the record and the event
    expect(done).toMatchObject({
      status: 'completed',
      flow: 'mandate',
      mandate: { mandate_id: created.mandate_id, currency: 'GBP', maximum_individual_amount_in_minor: 1500 },
      user: { first_name: 'Tommie', last_name: 'Burke' },
    });
    expect(done.timeline.map((entry) => entry.step)).toEqual([
      'onboarding_created',
      'user_authorized',
      'mandate_authorized',
      'identity_stored',
      'ready_for_payment',
    ]);
    const events = stack.events(created.onboarding_id);
    expect(events.map((event) => event['detail-type'])).toEqual(['Onboarding Ready For Payment']);
    expect(events[0]?.detail).toMatchObject({
      mandate_id: created.mandate_id,
      reference: 'customer-9',
      user: { first_name: 'Tommie', last_name: 'Burke' },
    });
    expect(events[0]?.detail).not.toHaveProperty('payment_id');
    // Assess: what the product asked TrueLayer for, as TrueLayer keeps it
    const token = await clientCredentialsToken(stack, 'recurring_payments:sweeping');
    const atTrueLayer = await fetch(`${stack.urls.truelayer_api}/v3/mandates/${created.mandate_id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await atTrueLayer.json()).toMatchObject({
      status: 'authorized',
      currency: 'GBP',
      beneficiary: { type: 'merchant_account' },
      constraints: {
        maximum_individual_amount: 1500,
        periodic_limits: { month: { maximum_amount: 6000, period_alignment: 'calendar' } },
      },
      metadata: { onboarding_id: created.onboarding_id },
      related_products: { signup_plus: {} },
    });
    // Assess: the payment workflow ran it, and ended
    const states = await statesVisited(stack, created.onboarding_id);
    expect(states[0]).toBe('CheckPayment');
    expect(states.at(-1)).toBe('Ended');
  });

  it('ends failed with mandate_failed and TrueLayer’s stage and reason when the bank refuses it', async () => {
    const created = await createOnboarding(stack, mandateBody(1500));

    await giveAndReturn(created.auth_link, 'test_authorisation_failed');
    const done = await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);

    expect(done.status).toBe('failed');
    expect(done.failure).toMatchObject({
      reason: 'mandate_failed',
      mandate: { failure_stage: 'authorizing', failure_reason: 'authorization_failed' },
    });
    expect(stack.events(created.onboarding_id).map((event) => event['detail-type'])).toEqual([
      'Onboarding Failed',
    ]);
  });

  it('ends failed when the user cancels on the page', async () => {
    const created = await createOnboarding(stack, mandateBody(1500));

    await giveAndReturn(created.auth_link, 'test_executed', 'deny');
    const done = await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);

    expect(done.status).toBe('failed');
    expect(done.failure).toMatchObject({ reason: 'mandate_failed', mandate: { failure_reason: 'canceled' } });
  });

  it('ends failed with Signup+’s refusal when it has no data for the giver', async () => {
    const created = await createOnboarding(stack, mandateBody(25_000));

    await giveAndReturn(created.auth_link, 'test_executed');
    const done = await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);

    expect(done.status).toBe('failed');
    expect(done.failure?.reason).toBe('user_data_not_found');
    expect(done.timeline.map((entry) => entry.step)).toContain('mandate_authorized');
    expect(done.user).toBeUndefined();
  });

  it('completes a user who gave the mandate and never came back, on the mandate webhook alone', async () => {
    const created = await createOnboarding(stack, mandateBody(1500));

    // The user closes the tab at the bank: the return route is never opened.
    await authorize(stack, created.auth_link, 'test_executed');
    const done = await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);

    expect(done.status).toBe('completed');
    expect(new Date(done.updated_at).getTime()).toBeLessThan(
      new Date(created.auth_link_expires_at).getTime(),
    );
  });

  it('rides out TrueLayer failing its mandate and Signup+ reads a few times, and still completes', async () => {
    const created = await createOnboarding(stack, mandateBody(1500));
    stack.simulator.faults.set([
      { endpoint: 'mandates_get', fault: { kind: 'status', status: 503 }, times: 3 },
      { endpoint: 'signup_plus_mandates', fault: { kind: 'status', status: 503 }, times: 3 },
    ]);
    try {
      await giveAndReturn(created.auth_link, 'test_executed');
      const done = await waitForStatus(stack, created.onboarding_id, ['completed', 'failed', 'expired']);

      expect(done.status).toBe('completed');
      expect(stack.events(created.onboarding_id).map((event) => event['detail-type'])).toEqual([
        'Onboarding Ready For Payment',
      ]);
    } finally {
      stack.simulator.faults.clear();
    }
  });

  it('answers 503, with no link to send anyone to, when TrueLayer keeps refusing to create the mandate', async () => {
    stack.simulator.faults.set([{ endpoint: 'mandates_create', fault: { kind: 'status', status: 503 } }]);
    let answer: Awaited<ReturnType<typeof requestJson>>;
    try {
      answer = await requestJson('POST', `${stack.urls.api}/onboardings`, mandateBody(1500));
    } finally {
      stack.simulator.faults.clear();
    }

    expect(answer.status).toBe(503);
    expect(JSON.stringify(answer.body)).not.toMatch(/mandate_id|auth_link/);
  });

  it('refuses a mandate flow without its mandate, and a mandate outside it, naming the field', async () => {
    const without = await requestJson('POST', `${stack.urls.api}/onboardings`, { flow: 'mandate' });
    const misplaced = await requestJson('POST', `${stack.urls.api}/onboardings`, {
      flow: 'payment',
      payment: { amount_in_minor: 100, currency: 'GBP', user: giver },
      mandate: mandateBody(100).mandate,
    });

    expect(without.status).toBe(400);
    expect(JSON.stringify(without.body)).toContain('mandate');
    expect(misplaced.status).toBe(400);
    expect(JSON.stringify(misplaced.body)).toContain('mandate');
  });
});
