import type { StartMandate, StartPayment } from '../onboarding/create-onboarding.ts';
import { readPaymentSettings } from '../onboarding/settings.ts';
import { mandateCreation, paymentCreation } from '../truelayer/payment-creation.ts';
import { buildPaymentLink } from '../truelayer/payment-link.ts';
import { secretsManagerSigningKey } from '../truelayer/signing-key.ts';
import { clientToken, endpoints } from './payments.ts';

const settings = readPaymentSettings();
const signingKey = secretsManagerSigningKey();
const createPayment = paymentCreation({ endpoints, token: clientToken('payments'), signingKey });
const createMandate = mandateCreation({
  endpoints,
  token: clientToken('recurring_payments:sweeping'),
  signingKey,
});

const hostedPage = (resource: { kind: 'payment' | 'mandate'; id: string }, resourceToken: string) =>
  buildPaymentLink({
    hppBaseUrl: endpoints.hppBaseUrl,
    resource,
    resourceToken,
    returnUri: settings.returnUri,
  });

/** The payment flow's payment at TrueLayer, and the hosted page link for it. */
export const startPayment: StartPayment = async (onboardingId, payment) => {
  const created = await createPayment({
    amountInMinor: payment.amount_in_minor,
    currency: payment.currency,
    user: payment.user,
    providerId: payment.provider_id,
    merchantAccountId: settings.merchantAccountId,
    onboardingId,
    idempotencyKey: onboardingId,
  });
  return {
    id: created.paymentId,
    link: hostedPage({ kind: 'payment', id: created.paymentId }, created.resourceToken),
  };
};

/** The mandate flow's mandate at TrueLayer, and the hosted page link for it. */
export const startMandate: StartMandate = async (onboardingId, mandate) => {
  const created = await createMandate({
    currency: mandate.currency,
    user: mandate.user,
    providerId: mandate.provider_id,
    merchantAccountId: settings.merchantAccountId,
    constraints: mandate.constraints,
    onboardingId,
    idempotencyKey: onboardingId,
  });
  return {
    id: created.mandateId,
    link: hostedPage({ kind: 'mandate', id: created.mandateId }, created.resourceToken),
  };
};
