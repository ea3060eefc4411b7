import type { StartPayment } from '../onboarding/create-onboarding.ts';
import { readPaymentSettings } from '../onboarding/settings.ts';
import { paymentCreation } from '../truelayer/payment-creation.ts';
import { buildPaymentLink } from '../truelayer/payment-link.ts';
import { secretsManagerSigningKey } from '../truelayer/signing-key.ts';
import { clientToken, endpoints } from './payments.ts';

const settings = readPaymentSettings();
const createPayment = paymentCreation({
  endpoints,
  token: clientToken('payments'),
  signingKey: secretsManagerSigningKey(),
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
    paymentId: created.paymentId,
    link: buildPaymentLink({
      hppBaseUrl: endpoints.hppBaseUrl,
      paymentId: created.paymentId,
      resourceToken: created.resourceToken,
      returnUri: settings.returnUri,
    }),
  };
};
