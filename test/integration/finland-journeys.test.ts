import { type LocalStack, startLocalStack } from '@signupplus/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../helpers/http.ts';
import {
  authorize,
  createOnboarding,
  followRedirect,
  type OnboardingView,
  statesVisited,
  waitForStatus,
} from '../helpers/journey.ts';
import { clientCredentialsToken } from '../helpers/truelayer-token.ts';

/*
 * Signup+ in Finland end to end: a euro payment on the simulator's hosted
 * page at the Finnish mock bank, the identification link the workflow asks
 * TrueLayer for once the payment is executed, the user's identification at
 * their bank (the simulator's page, approved through the one hook), the
 * return to GET /identification/return, and Signup+ naming the Finnish payer.
 * Then each answer TrueLayer leaves undocumented, through the simulator's
 * switches.
 */

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1, trueLayerPaymentStepMs: 100 });
});

afterAll(async () => {
  await stack?.close();
});

const ENDED = ['completed', 'failed', 'expired'];

const euroPayment = (amountInMinor = 1500) => ({
  flow: 'payment',
  reference: 'customer-fi-1',
  payment: {
    amount_in_minor: amountInMinor,
    currency: 'EUR',
    user: { name: 'Aino Virtanen', email: 'aino@example.fi' },
  },
});

/** Pays on the hosted page and comes back; then waits until the record shows the identification link. */
async function payInEuros(amountInMinor = 1500) {
  const created = await createOnboarding(stack, euroPayment(amountInMinor));
  const back = await followRedirect(await authorize(stack, created.auth_link, 'test_executed'));
  expect(back.status).toBe(302);
  const waiting = await waitForStatus(stack, created.onboarding_id, ['awaiting_identification', ...ENDED]);
  return { created, waiting };
}

/** The user at their bank: approves (or cancels) the identification and follows the redirect back. */
async function identify(waiting: OnboardingView, decision: 'approve' | 'deny' = 'approve') {
  const link = waiting.identification?.link;
  if (!link) throw new Error(`The onboarding shows no identification link (it is ${waiting.status})`);
  const redirectTo = await authorize(stack, link, 'test_executed', decision);
  return { redirectTo, back: await followRedirect(redirectTo) };
}

async function setSwitches(switches: Record<string, unknown>) {
  expect((await fetch(`${stack.urls.truelayer_api}/_sandbox/switches`, { method: 'DELETE' })).status).toBe(
    204,
  );
  expect((await requestJson('PUT', `${stack.urls.truelayer_api}/_sandbox/switches`, switches)).status).toBe(
    200,
  );
}

describe('Signup+ in Finland', () => {
  it('takes a paid euro payment through the identification at the bank to a Ready For Payment event', async () => {
    // Prepare
    const { created, waiting } = await payInEuros();

    // Act
    const { redirectTo, back } = await identify(waiting);
    const done = await waitForStatus(stack, created.onboarding_id, ENDED);

    // Assess: the link was TrueLayer's, on its auth host, and the bank sent the user to the product
    expect(waiting.status).toBe('awaiting_identification');
    expect(waiting.identification?.link.startsWith(`${stack.urls.truelayer_auth}/`)).toBe(true);
    const returned = new URL(redirectTo);
    expect(`${returned.origin}${returned.pathname}`).toBe(`${stack.urls.api}/identification/return`);
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe(`${stack.urls.api}/?onboarding_id=${created.onboarding_id}`);
    // Assess: the Finnish payer, with an IBAN and no sort code
    expect(done.status).toBe('completed');
    expect(done.payment).toEqual({ payment_id: created.payment_id, amount_in_minor: 1500, currency: 'EUR' });
    expect(done.user?.national_identification_number).toMatch(/^\d{6}[-+A]\d{3}[0-9A-Y]$/);
    expect(done.user?.title).toBeUndefined();
    expect(done.user?.address?.country).toBe('FI');
    expect(done.account?.iban).toMatch(/^FI\d{16}$/);
    expect(done.account?.sort_code).toBeUndefined();
    expect(done).not.toHaveProperty('identification');
    expect(done.timeline.map((entry) => entry.step)).toEqual([
      'onboarding_created',
      'user_authorized',
      'payment_executed',
      'identification_required',
      'user_identified',
      'identity_stored',
      'ready_for_payment',
    ]);
    const events = stack.events(created.onboarding_id);
    expect(events.map((event) => event['detail-type'])).toEqual(['Onboarding Ready For Payment']);
    expect(events[0]?.detail).toMatchObject({
      payment_id: created.payment_id,
      account: { iban: done.account?.iban },
    });
    // Assess: the bank's reference (none under a matrix profile that plays its absence) went nowhere but
    // the secrets
    const reference = returned.searchParams.get('authorization_reference') ?? 'no reference given';
    expect(JSON.stringify([done, events])).not.toContain(reference);
    // Assess: the payment as TrueLayer keeps it: euros, the bank picker narrowed to Finland
    const token = await clientCredentialsToken(stack, 'payments');
    const atTrueLayer = await fetch(`${stack.urls.truelayer_api}/v3/payments/${created.payment_id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await atTrueLayer.json()).toMatchObject({
      currency: 'EUR',
      payment_method: {
        provider_selection: { type: 'user_selected', filter: { countries: ['FI'] } },
        beneficiary: { type: 'merchant_account' },
      },
    });
    // Assess: the workflow waited for the user (the record only), then ended
    const states = await statesVisited(stack, created.onboarding_id);
    expect(states).toContain('WaitForPayment');
    expect(states.at(-1)).toBe('Ended');
  });

  it('ends failed when the user cancels at their bank, with the event', async () => {
    // Prepare
    const { created, waiting } = await payInEuros();

    // Act
    const { back } = await identify(waiting, 'deny');
    const done = await waitForStatus(stack, created.onboarding_id, ENDED);

    // Assess
    expect(back.headers.get('location')).toContain('outcome=denied');
    expect(done.status).toBe('failed');
    expect(done.failure?.reason).toBe('access_denied');
    expect(stack.events(created.onboarding_id).map((event) => event['detail-type'])).toEqual([
      'Onboarding Failed',
    ]);
    expect(await statesVisited(stack, created.onboarding_id)).toContain('Ended');
  });

  it('ends expired when TrueLayer says the identification link expired, under each name it uses', async () => {
    for (const type of ['authuri_expired', 'authorization_expired', 'webhook_authorisation_expired']) {
      // Prepare
      await setSwitches({ identification_expired_type: type });
      const { created, waiting } = await payInEuros();

      // Act: TrueLayer lets the link die and says so by webhook
      const expired = await requestJson(
        'POST',
        `${stack.urls.truelayer_auth}/_sandbox/identifications/expire`,
        {
          auth_uri: waiting.identification?.link,
        },
      );
      const done = await waitForStatus(stack, created.onboarding_id, ENDED);

      // Assess
      expect(expired.status, type).toBeLessThan(300);
      expect(done.status, type).toBe('expired');
      expect(done.failure?.reason, type).toBe('identification_expired');
      expect(stack.events(created.onboarding_id).map((event) => event['detail-type'])).toEqual([
        'Onboarding Expired',
      ]);
    }
    // Back to the switches the simulator started with (a matrix profile's, or the defaults).
    expect((await fetch(`${stack.urls.truelayer_api}/_sandbox/switches`, { method: 'DELETE' })).status).toBe(
      204,
    );
  });

  it('refuses a return with a state it never issued, and changes nothing when the return is opened again', async () => {
    // Prepare
    const { created, waiting } = await payInEuros();
    const { redirectTo } = await identify(waiting);
    await waitForStatus(stack, created.onboarding_id, ['completed']);

    // Act
    const again = await followRedirect(redirectTo);
    const forged = await followRedirect(
      `${stack.urls.api}/identification/return?state=forged&authorization_reference=x`,
    );

    // Assess
    expect(again.status).toBe(302);
    expect(forged.status).toBe(400);
    expect(stack.events(created.onboarding_id)).toHaveLength(1);
  });

  it('rides out TrueLayer failing the identification link and the Finnish user data a few times', async () => {
    // Prepare
    stack.simulator.faults.set([
      { endpoint: 'signup_plus_authuri', fault: { kind: 'status', status: 503 }, times: 3 },
      { endpoint: 'signup_plus_payments', fault: { kind: 'status', status: 503 }, times: 3 },
    ]);
    try {
      // Act
      const { created, waiting } = await payInEuros();
      await identify(waiting);
      const done = await waitForStatus(stack, created.onboarding_id, ENDED);

      // Assess: retried through, one end
      expect(done.status).toBe('completed');
      expect(stack.events(created.onboarding_id).map((event) => event['detail-type'])).toEqual([
        'Onboarding Ready For Payment',
      ]);
    } finally {
      stack.simulator.faults.clear();
    }
  });

  it('ends failed, naming Signup+’s refusal, when the Finnish payer’s account is joint', async () => {
    // Prepare: TrueLayer's sandbox answers a joint account for amounts of 100.00 to 249.99
    const { created, waiting } = await payInEuros(10_000);

    // Act
    await identify(waiting);
    const done = await waitForStatus(stack, created.onboarding_id, ENDED);

    // Assess
    expect(done.status).toBe('failed');
    expect(done.failure?.reason, JSON.stringify(done.failure)).toBe('joint_account_not_supported');
  });
});

describe('Signup+ in Finland, as TrueLayer may answer where its documents are silent', () => {
  it.each([
    [
      'the return carries no authorization_reference',
      { identification_return_reference: 'absent', identification_reference_required: false },
    ],
    [
      'Signup+ insists on the authorization_reference',
      { identification_reference_required: true, identification_return_reference: 'query' },
    ],
    ['POST /signup-plus/authuri answers 200, not 201', { authuri_status: 200 }],
  ])('completes when %s', async (_case, switches) => {
    // Prepare
    await setSwitches(switches);
    const { created, waiting } = await payInEuros();

    // Act
    await identify(waiting);
    const done = await waitForStatus(stack, created.onboarding_id, ENDED);

    // Assess
    expect(done.status).toBe('completed');
    expect(done.user?.address?.country).toBe('FI');
  });

  it('goes straight on when TrueLayer already knows the payer (the link is the product’s own return)', async () => {
    // Prepare
    await setSwitches({ identification_known_user: true });
    const created = await createOnboarding(stack, euroPayment());

    // Act
    await followRedirect(await authorize(stack, created.auth_link, 'test_executed'));
    const done = await waitForStatus(stack, created.onboarding_id, ENDED);

    // Assess
    expect(done.status).toBe('completed');
    const steps = done.timeline.map((entry) => entry.step);
    expect(steps).toContain('user_identified');
    expect(steps).not.toContain('identification_required');
  });

  afterAll(async () => {
    await fetch(`${stack.urls.truelayer_api}/_sandbox/switches`, { method: 'DELETE' });
  });
});
