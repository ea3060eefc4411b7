import { sign } from 'truelayer-signing';
import * as z from 'zod/mini';
import type { TrueLayerEndpoints } from './config.ts';
import { TrueLayerContractError } from './errors.ts';
import { sendToTrueLayer } from './http.ts';
import { refusalError } from './refusals.ts';
import type { SigningKeyProvider } from './signing-key.ts';
import { type ClientToken, withClientToken } from './token-cache.ts';

/** What the product asks TrueLayer to collect: one payment into the merchant account, with Signup+. */
export interface NewPayment {
  amountInMinor: number;
  currency: 'GBP';
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

const createdPaymentSchema = z.object({
  id: z.string().check(z.trim(), z.minLength(1), z.maxLength(128)),
  resource_token: z.string().check(z.minLength(1)),
});

const CREATE_PATH = '/v3/payments';

/**
 * `POST /v3/payments` with a client-credentials token (scope `payments`). The
 * request is signed with `truelayer-signing` (ES512 over the method, path,
 * Idempotency-Key and body) and carries an Idempotency-Key, so a retry, by
 * this client or by the caller, answers the same payment. Kept apart from
 * reading payments: only the function that creates them holds the key.
 */
export function paymentCreation(deps: {
  endpoints: TrueLayerEndpoints;
  token: ClientToken;
  signingKey: SigningKeyProvider;
}): CreatePayment {
  const { endpoints } = deps;
  return async (payment) => {
    const operation = 'create payment';
    const body = JSON.stringify({
      amount_in_minor: payment.amountInMinor,
      currency: payment.currency,
      payment_method: {
        type: 'bank_transfer',
        provider_selection:
          payment.providerId === undefined
            ? { type: 'user_selected' }
            : { type: 'preselected', provider_id: payment.providerId },
        beneficiary: { type: 'merchant_account', merchant_account_id: payment.merchantAccountId },
      },
      user: {
        name: payment.user.name,
        ...(payment.user.email === undefined ? {} : { email: payment.user.email }),
        ...(payment.user.phone === undefined ? {} : { phone: payment.user.phone }),
      },
      related_products: { signup_plus: {} },
      metadata: { onboarding_id: payment.onboardingId },
    });
    const key = await deps.signingKey();
    const signature = sign({
      kid: key.keyId,
      privateKeyPem: key.privateKeyPem,
      path: CREATE_PATH,
      headers: { 'Idempotency-Key': payment.idempotencyKey },
      body,
    });
    const response = await withClientToken(deps.token, (bearer) =>
      sendToTrueLayer(
        `${endpoints.apiBaseUrl}${CREATE_PATH}`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${bearer}`,
            accept: 'application/json',
            'content-type': 'application/json',
            'idempotency-key': payment.idempotencyKey,
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
    const parsed = createdPaymentSchema.safeParse(response.body);
    if (!parsed.success) {
      throw new TrueLayerContractError(`${operation}: the answer carries no payment id and resource token`, {
        truelayer: { status: response.status, ...response.support },
      });
    }
    return { paymentId: parsed.data.id, resourceToken: parsed.data.resource_token };
  };
}
