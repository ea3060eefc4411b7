import { httpHandler } from '../commons/http/handler.ts';
import { parseJsonBody } from '../commons/http/request.ts';
import { createdResponse } from '../commons/http/responses.ts';
import { createOnboardingRequestSchema } from '../contract/onboarding-requests.ts';
import { createOnboarding } from '../onboarding/create-onboarding.ts';
import { readCreateOnboardingSettings } from '../onboarding/settings.ts';
import { now, repository } from '../wiring/repository.ts';

const settings = readCreateOnboardingSettings();

/** POST /onboardings: a new onboarding and the auth link to send the user to. */
export const handler = httpHandler(async (event) => {
  const request = parseJsonBody(event, createOnboardingRequestSchema);
  const created = await createOnboarding(request, { repository, settings, now });
  return createdResponse(`/onboardings/${created.onboarding_id}`, created);
});
