import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { RawRequest } from '../../functions/commons/http/request.ts';
import { logger } from '../../functions/commons/logger.ts';
import { resourceKey } from '../../functions/onboarding/create-onboarding.ts';
import type { Onboarding } from '../../functions/onboarding/model.ts';
import { receivePaymentWebhook } from '../../functions/onboarding/payment-webhook.ts';
import { WebhookSignatureError, webhookVerifier } from '../../functions/truelayer/webhook-signature.ts';
import { fakeClock, InMemoryOnboardings, ONBOARDING_ID, onboardingIn } from './fakes/onboarding.ts';

/*
 * TrueLayer's payment webhooks: signed (checked here with truelayer-signing
 * against a key set served the way TrueLayer serves its JWKS), then a nudge
 * for the payment workflow, once per event.
 */

const JWKS_URL = 'https://webhooks.truelayer-sandbox.com/.well-known/jwks';
const PATH = '/webhooks/truelayer';
const PAYMENT_ID = 'pay-7f3a';

/** A P-521 key as TrueLayer holds one, and its public half as a JWK of its key set. */
function signingKey(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp521r1' });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES512', use: 'sig' } };
}

/** A Tl-Signature as TrueLayer makes one for a webhook: detached ES512 JWS over method, path, signed headers, body. */
function tlSignature(
  key: { kid: string; privateKey: KeyObject },
  request: RawRequest,
  jku = JWKS_URL,
): string {
  const header = { alg: 'ES512', kid: key.kid, tl_version: '2', tl_headers: 'X-Tl-Webhook-Timestamp', jku };
  const payload = `POST ${request.path}\nX-Tl-Webhook-Timestamp: ${request.headers['x-tl-webhook-timestamp']}\n${request.body}`;
  const encodedHeader = Buffer.from(JSON.stringify(header)).toString('base64url');
  const signingInput = `${encodedHeader}.${Buffer.from(payload).toString('base64url')}`;
  const signature = sign('sha512', Buffer.from(signingInput), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${encodedHeader}..${signature.toString('base64url')}`;
}

const trueLayerKey = signingKey('tl-webhooks-1');

function webhook(body: Record<string, unknown>, options: { key?: typeof trueLayerKey; jku?: string } = {}) {
  const unsigned: RawRequest = {
    path: PATH,
    headers: { 'x-tl-webhook-timestamp': '2026-03-01T10:05:00Z', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
  const signature = tlSignature(options.key ?? trueLayerKey, unsigned, options.jku);
  return { ...unsigned, headers: { ...unsigned.headers, 'tl-signature': signature } };
}

const settled = (eventId = 'evt-1') => ({
  type: 'payment_settled',
  event_id: eventId,
  event_version: 1,
  payment_id: PAYMENT_ID,
  settled_at: '2026-03-01T10:05:00Z',
  payment_source: { account_holder_name: 'TOMMIE BURKE' },
});

/** A key set TrueLayer serves (counting reads), and the verifier over it. */
function keySet(keys = [trueLayerKey.jwk]) {
  const fetched: string[] = [];
  let now = 0;
  const verify = webhookVerifier({
    jwksUrl: JWKS_URL,
    fetchJwks: async (url) => {
      fetched.push(url);
      return JSON.stringify({ keys });
    },
    now: () => now,
  });
  return { verify, fetched, advanceMs: (ms: number) => (now += ms), keys };
}

const MANDATE_ID = 'man-51c0';
const mandateEvent = (type: string, eventId: string) => ({
  type,
  event_id: eventId,
  event_version: 1,
  mandate_id: MANDATE_ID,
});

/** A mandate journey, found by its mandate id, and the webhook use case's dependencies over it. */
function receivingMandate(status: Onboarding['status'] = 'awaiting_authorization') {
  const receiver = receiving();
  receiver.repository.seed(
    onboardingIn(status, {
      flow: 'mandate',
      mandate: { mandate_id: MANDATE_ID, currency: 'GBP', maximum_individual_amount_in_minor: 5000 },
    }),
  );
  receiver.repository.states.set(resourceKey('mandate', MANDATE_ID), {
    onboarding_id: ONBOARDING_ID,
    expires_at_epoch: 0,
  });
  return receiver;
}

function receiving(status: Onboarding['status'] = 'awaiting_authorization') {
  const repository = new InMemoryOnboardings();
  repository.seed(
    onboardingIn(status, {
      flow: 'payment',
      payment: { payment_id: PAYMENT_ID, amount_in_minor: 1500, currency: 'GBP' },
    }),
  );
  repository.states.set(resourceKey('payment', PAYMENT_ID), {
    onboarding_id: ONBOARDING_ID,
    expires_at_epoch: 0,
  });
  const started: string[] = [];
  const keys = keySet();
  const deps = {
    verify: keys.verify,
    repository,
    now: fakeClock().now,
    startWorkflow: async (id: string) => {
      started.push(id);
    },
  };
  return { repository, started, keys, deps };
}

describe('the webhook signature', () => {
  it('accepts what TrueLayer signed, reading its key set once for many webhooks', async () => {
    const { verify, fetched } = keySet();

    await verify(webhook(settled('a')));
    await verify(webhook(settled('b')));

    expect(fetched).toEqual([JWKS_URL]);
  });

  it.each([
    [
      'a body changed after signing',
      (request: RawRequest) => ({ ...request, body: request.body.replace('settled', 'failed') }),
    ],
    ['another path', (request: RawRequest) => ({ ...request, path: '/somewhere/else' })],
    [
      'a timestamp changed',
      (request: RawRequest) => ({
        ...request,
        headers: { ...request.headers, 'x-tl-webhook-timestamp': '2026-03-02T00:00:00Z' },
      }),
    ],
    ['no signature', (request: RawRequest) => ({ ...request, headers: { 'x-tl-webhook-timestamp': 'x' } })],
    [
      'a signature that is not a JWS',
      (request: RawRequest) => ({ ...request, headers: { ...request.headers, 'tl-signature': 'nonsense' } }),
    ],
  ])('refuses %s', async (_case, tamper) => {
    const { verify } = keySet();

    await expect(verify(tamper(webhook(settled())))).rejects.toBeInstanceOf(WebhookSignatureError);
  });

  it('never fetches a key set the signature names unless it is TrueLayer’s', async () => {
    const { verify, fetched } = keySet();
    const forger = signingKey('tl-webhooks-1');

    const forged = verify(webhook(settled(), { key: forger, jku: 'https://attacker.example/jwks' }));

    await expect(forged).rejects.toBeInstanceOf(WebhookSignatureError);
    expect(fetched).toEqual([]);
  });

  it('refuses a key that is not in the key set, and reads the set again for a new key only after a pause', async () => {
    const rotated = signingKey('tl-webhooks-2');
    const { verify, fetched, advanceMs, keys } = keySet();
    await verify(webhook(settled()));

    await expect(verify(webhook(settled(), { key: rotated }))).rejects.toBeInstanceOf(WebhookSignatureError);
    expect(fetched).toHaveLength(1);
    // TrueLayer rotates: the new key is published, and a webhook signed with it verifies once the pause is over.
    keys.push(rotated.jwk);
    advanceMs(30_000);
    await verify(webhook(settled(), { key: rotated }));
    expect(fetched).toHaveLength(2);
  });
});

describe('receivePaymentWebhook', () => {
  it('starts the payment workflow for a payment of ours, once per event', async () => {
    const { started, deps } = receiving();

    const first = await receivePaymentWebhook(webhook(settled('evt-1')), deps);
    const again = await receivePaymentWebhook(webhook(settled('evt-1')), deps);
    const next = await receivePaymentWebhook(
      webhook({ ...settled('evt-2'), type: 'payment_executed' }),
      deps,
    );

    expect([first, again, next]).toEqual(['started', 'duplicate', 'started']);
    expect(started).toEqual([ONBOARDING_ID, ONBOARDING_ID]);
  });

  it('changes no record: the workflow reads the payment from TrueLayer, so order and lateness do not matter', async () => {
    const { repository, deps } = receiving();
    const before = repository.record(ONBOARDING_ID);

    await receivePaymentWebhook(webhook({ ...settled('evt-9'), type: 'payment_failed' }), deps);

    expect(repository.record(ONBOARDING_ID)).toEqual(before);
  });

  it('answers a webhook for an ended journey, or for a payment that is not ours, without starting anything', async () => {
    const ended = receiving('expired');
    const foreign = receiving();

    const late = await receivePaymentWebhook(webhook(settled()), ended.deps);
    const stranger = await receivePaymentWebhook(
      webhook({ ...settled(), payment_id: 'pay-other' }),
      foreign.deps,
    );
    const mandate = await receivePaymentWebhook(
      webhook({ type: 'mandate_authorized', event_id: 'evt-m' }),
      foreign.deps,
    );

    expect([late, stranger, mandate]).toEqual(['ended', 'ignored', 'ignored']);
    expect([...ended.started, ...foreign.started]).toEqual([]);
  });

  it('warns an operator when money settles, or a mandate is given, for a journey that ended otherwise, and only then', async () => {
    const warned: string[] = [];
    const spy = vi.spyOn(logger, 'warn').mockImplementation((...args) => {
      warned.push(String(args[0]));
    });
    try {
      await receivePaymentWebhook(webhook(settled('evt-late')), receiving('expired').deps);
      await receivePaymentWebhook(webhook(settled('evt-done')), receiving('completed').deps);
      await receivePaymentWebhook(
        webhook({ ...settled('evt-exec'), type: 'payment_executed' }),
        receiving('failed').deps,
      );
      await receivePaymentWebhook(
        webhook(mandateEvent('mandate_authorized', 'evt-m-late')),
        receivingMandate('expired').deps,
      );
      await receivePaymentWebhook(
        webhook(mandateEvent('mandate_authorized', 'evt-m-done')),
        receivingMandate('completed').deps,
      );
    } finally {
      spy.mockRestore();
    }

    expect(warned).toEqual([
      expect.stringContaining('settled after its onboarding ended'),
      expect.stringContaining('mandate was authorised after its onboarding ended'),
    ]);
  });

  it('starts the workflow for a mandate of ours on its mandate webhooks, never on a payment webhook naming its id', async () => {
    const { started, deps } = receivingMandate();

    const outcomes = [
      await receivePaymentWebhook(webhook(mandateEvent('mandate_authorized', 'evt-m1')), deps),
      await receivePaymentWebhook(webhook(mandateEvent('mandate_failed', 'evt-m2')), deps),
      await receivePaymentWebhook(webhook(mandateEvent('mandate_revoked', 'evt-m3')), deps),
      await receivePaymentWebhook(webhook({ ...settled('evt-p'), payment_id: MANDATE_ID }), deps),
    ];

    expect(outcomes).toEqual(['started', 'started', 'started', 'ignored']);
    expect(started).toEqual([ONBOARDING_ID, ONBOARDING_ID, ONBOARDING_ID]);
  });

  it('forgets a delivery whose handling failed, so that TrueLayer’s retry is acted on', async () => {
    const { started, deps } = receiving();
    let refuse = true;
    const flaky = {
      ...deps,
      startWorkflow: async (id: string) => {
        if (refuse) throw new Error('StartExecution throttled');
        started.push(id);
      },
    };

    await expect(receivePaymentWebhook(webhook(settled()), flaky)).rejects.toThrow('throttled');
    refuse = false;
    const retried = await receivePaymentWebhook(webhook(settled()), flaky);

    expect(retried).toBe('started');
    expect(started).toEqual([ONBOARDING_ID]);
  });

  it('believes nothing before the signature: a forged webhook claims no receipt and starts nothing', async () => {
    const { repository, started, deps } = receiving();

    const forged = receivePaymentWebhook(webhook(settled(), { key: signingKey('tl-webhooks-1') }), deps);

    await expect(forged).rejects.toBeInstanceOf(WebhookSignatureError);
    expect(repository.webhooks.size).toBe(0);
    expect(started).toEqual([]);
  });

  it('answers a signed body without the fields every TrueLayer webhook has, acting on nothing (a retry would be no better)', async () => {
    const { repository, started, deps } = receiving();

    const outcome = await receivePaymentWebhook(webhook({ payment_id: PAYMENT_ID }), deps);

    expect(outcome).toBe('ignored');
    expect(started).toEqual([]);
    expect(repository.webhooks.size).toBe(0);
  });

  it.each(['authuri_expired', 'authorization_expired', 'webhook_authorisation_expired'])(
    'ends the wait for a Finnish identification on %s: its deadline becomes now',
    async (type) => {
      // Prepare: a euro payment whose payer is at their bank until 10:15
      const { repository, started, deps } = receiving();
      repository.seed(
        onboardingIn('awaiting_identification', {
          flow: 'payment',
          payment: { payment_id: PAYMENT_ID, amount_in_minor: 1500, currency: 'EUR' },
          identification: { link: 'https://identify.example.test/x', expires_at: '2026-03-01T10:15:00.000Z' },
        }),
      );
      const expired = {
        type,
        event_id: `evt-${type}`,
        event_version: 1,
        authorization_id: 'auth-1',
        payment_id: PAYMENT_ID,
        expired_at: '2026-03-01T10:00:00Z',
      };

      // Act
      const outcome = await receivePaymentWebhook(webhook(expired), deps);

      // Assess: the workflow's next look finds the deadline passed
      const record = repository.record(ONBOARDING_ID);
      expect(outcome).toBe('started');
      expect(started).toEqual([ONBOARDING_ID]);
      expect(record.status).toBe('awaiting_identification');
      expect(record.identification?.expires_at).toBe('2026-03-01T10:00:00.000Z');
    },
  );

  it('leaves a journey alone when the identification expiry comes after the user was back', async () => {
    // Prepare
    const { repository, deps } = receiving();
    repository.seed(
      onboardingIn('identified', {
        flow: 'payment',
        payment: { payment_id: PAYMENT_ID, amount_in_minor: 1500, currency: 'EUR' },
      }),
    );
    const before = repository.record(ONBOARDING_ID);

    // Act
    await receivePaymentWebhook(
      webhook({ type: 'authuri_expired', event_id: 'evt-late', event_version: 1, payment_id: PAYMENT_ID }),
      deps,
    );

    // Assess
    expect(repository.record(ONBOARDING_ID)).toEqual(before);
  });
});
