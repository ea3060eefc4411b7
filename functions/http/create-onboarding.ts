import { httpHandler } from '../commons/http/handler.ts';
import { parseJsonBody } from '../commons/http/request.ts';
import { createdResponse } from '../commons/http/responses.ts';
import { createOnboardingRequestSchema } from '../contract/onboarding-requests.ts';
import { createOnboarding, type StartMandate, type StartPayment } from '../onboarding/create-onboarding.ts';
import { readCreateOnboardingSettings } from '../onboarding/settings.ts';
import { now, repository } from '../wiring/repository.ts';

const settings = readCreateOnboardingSettings();

// The payment and mandate flows' clients (Payments v3, the signing key) load on their first request,
// not at every cold start.
const startPayment: StartPayment = async (onboardingId, payment) =>
  (await import('../wiring/start-payment.ts')).startPayment(onboardingId, payment);
const startMandate: StartMandate = async (onboardingId, mandate) =>
  (await import('../wiring/start-payment.ts')).startMandate(onboardingId, mandate);

/** POST /onboardings: a new onboarding and the link to send the user to. */
export const handler = httpHandler(async (event) => {
  const request = parseJsonBody(event, createOnboardingRequestSchema);
  const created = await createOnboarding(request, { repository, settings, now, startPayment, startMandate });
  return createdResponse(`/onboardings/${created.onboarding_id}`, created);
});
