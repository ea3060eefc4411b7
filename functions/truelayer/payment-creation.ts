import { sign } from 'truelayer-signing';
import * as z from 'zod/mini';
import type { MandateRequest } from '../contract/onboarding-requests.ts';
import type { TrueLayerEndpoints } from './config.ts';
import { TrueLayerContractError } from './errors.ts';
import { sendToTrueLayer } from './http.ts';
import { refusalError } from './refusals.ts';
import type { SigningKeyProvider } from './signing-key.ts';
import { type ClientToken, withClientToken } from './token-cache.ts';

/*
 * Creating Payments v3 resources: the payment flow's payment and the mandate
 * flow's mandate. Both are signed the same way; only the function that
 * creates them holds the signing key.
 */

/** What the product asks TrueLayer to collect: one payment into the merchant account, with Signup+. */
export interface NewPayment {
  amountInMinor: number;
  /** `EUR`: Signup+ in Finland, so the bank picker shows Finnish banks only. */
  currency: 'GBP' | 'EUR';
  /** Payments v3 requires the payer's name and an email address or a phone number. Personal data. */
  user: { name: string; email?: string | undefined; phone?: string | undefined };
  /** Skips the bank picker on the hosted page. */
  providerId?: string | undefined;
  merchantAccountId: string;
  /** Carried as metadata, so TrueLayer's dashboard can name the journey. */
  onboardingId: string;
  /** `Idempotency-Key`: the same key always answers the same payment. */
  idempotencyKey: string;
}

export interface CreatedPayment {
  paymentId: string;
  /** Lets the hosted payment page act on this one payment; a credential, never logged or stored. */
  resourceToken: string;
}

export type CreatePayment = (payment: NewPayment) => Promise<CreatedPayment>;

/** A sweeping VRP mandate into the merchant account (the only kind Signup+ answers for), with Signup+. */
export interface NewMandate {
  currency: 'GBP';
  /** Payments v3 requires the user's name and an email address or a phone number. Personal data. */
  user: NewPayment['user'];
  providerId?: string | undefined;
  merchantAccountId: string;
  /** As `POST /onboardings` took them; named in TrueLayer's terms below. */
  constraints: MandateRequest['constraints'];
  onboardingId: string;
  idempotencyKey: string;
}

export interface CreatedMandate {
  mandateId: string;
  /** Lets the hosted page act on this one mandate; a credential, never logged or stored. */
  resourceToken: string;
}

export type CreateMandate = (mandate: NewMandate) => Promise<CreatedMandate>;

const createdSchema = z.object({
  id: z.string().check(z.trim(), z.minLength(1), z.maxLength(128)),
  resource_token: z.string().check(z.minLength(1)),
});

interface CreationDependencies {
  endpoints: TrueLayerEndpoints;
  token: ClientToken;
  signingKey: SigningKeyProvider;
}

/**
 * `POST` of a Payments v3 resource with a client-credentials token. The
 * request is signed with `truelayer-signing` (ES512 over the method, path,
 * Idempotency-Key and body) and carries an Idempotency-Key, so a retry, by
 * this client or by the caller, answers the same resource. Kept apart from
 * reading them: only the function that creates them holds the key.
 */
async function createSigned(
  deps: CreationDependencies,
  request: { path: string; body: string; idempotencyKey: string; operation: string },
): Promise<{ id: string; resourceToken: string }> {
  const { endpoints } = deps;
  const { path, body, idempotencyKey, operation } = request;
  const key = await deps.signingKey();
  const signature = sign({
    kid: key.keyId,
    privateKeyPem: key.privateKeyPem,
    path,
    headers: { 'Idempotency-Key': idempotencyKey },
    body,
  });
  const response = await withClientToken(deps.token, (bearer) =>
    sendToTrueLayer(
      `${endpoints.apiBaseUrl}${path}`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${bearer}`,
          accept: 'application/json',
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
          'tl-signature': signature,
        },
        body,
      },
      { timeoutMs: endpoints.timeoutMs, operation },
    ),
  );
  if (response.status < 200 || response.status > 299) {
    throw refusalError(response, { operation, audience: 'client' });
  }
  const parsed = createdSchema.safeParse(response.body);
  if (!parsed.success) {
    throw new TrueLayerContractError(`${operation}: the answer carries no id and resource token`, {
      truelayer: { status: response.status, ...response.support },
    });
  }
  return { id: parsed.data.id, resourceToken: parsed.data.resource_token };
}

/** Signup+ answers for Finnish banks only in euros (D:integrate-signup-in-finland). */
const COUNTRIES = { EUR: ['FI'] } as const;

const providerSelection = (providerId: string | undefined, currency: 'GBP' | 'EUR' = 'GBP') => {
  if (providerId !== undefined) return { type: 'preselected', provider_id: providerId };
  return currency === 'EUR'
    ? { type: 'user_selected', filter: { countries: COUNTRIES.EUR } }
    : { type: 'user_selected' };
};

const payer = (user: NewPayment['user']) => ({
  name: user.name,
  ...(user.email === undefined ? {} : { email: user.email }),
  ...(user.phone === undefined ? {} : { phone: user.phone }),
});

/** `POST /v3/payments` (token scope `payments`): one payment into the merchant account, with Signup+. */
export function paymentCreation(deps: CreationDependencies): CreatePayment {
  return async (payment) => {
    const created = await createSigned(deps, {
      path: '/v3/payments',
      operation: 'create payment',
      idempotencyKey: payment.idempotencyKey,
      body: JSON.stringify({
        amount_in_minor: payment.amountInMinor,
        currency: payment.currency,
        payment_method: {
          type: 'bank_transfer',
          provider_selection: providerSelection(payment.providerId, payment.currency),
          beneficiary: { type: 'merchant_account', merchant_account_id: payment.merchantAccountId },
        },
        user: payer(payment.user),
        related_products: { signup_plus: {} },
        metadata: { onboarding_id: payment.onboardingId },
      }),
    });
    return { paymentId: created.id, resourceToken: created.resourceToken };
  };
}

/**
 * `POST /v3/mandates` (token scope `recurring_payments:sweeping`): a sweeping
 * mandate into the merchant account, with Signup+. Amounts are TrueLayer's
 * minor units; a periodic limit aligns with the consent unless asked otherwise.
 */
export function mandateCreation(deps: CreationDependencies): CreateMandate {
  return async (mandate) => {
    const { constraints } = mandate;
    const periodicLimits = Object.entries(constraints.periodic_limits ?? {}).map(([period, limit]) => [
      period,
      {
        maximum_amount: limit.maximum_amount_in_minor,
        period_alignment: limit.period_alignment ?? 'consent',
      },
    ]);
    const created = await createSigned(deps, {
      path: '/v3/mandates',
      operation: 'create mandate',
      idempotencyKey: mandate.idempotencyKey,
      body: JSON.stringify({
        mandate: {
          type: 'sweeping',
          provider_selection: providerSelection(mandate.providerId),
          beneficiary: { type: 'merchant_account', merchant_account_id: mandate.merchantAccountId },
        },
        currency: mandate.currency,
        user: payer(mandate.user),
        constraints: {
          maximum_individual_amount: constraints.maximum_individual_amount_in_minor,
          ...(periodicLimits.length === 0 ? {} : { periodic_limits: Object.fromEntries(periodicLimits) }),
          ...(constraints.valid_to === undefined ? {} : { valid_to: constraints.valid_to }),
        },
        related_products: { signup_plus: {} },
        metadata: { onboarding_id: mandate.onboardingId },
      }),
    });
    return { mandateId: created.id, resourceToken: created.resourceToken };
  };
}
