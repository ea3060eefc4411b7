import { httpHandler } from '../commons/http/handler.ts';
import { parseParameters } from '../commons/http/request.ts';
import { jsonResponse } from '../commons/http/responses.ts';
import { onboardingPathSchema } from '../contract/onboarding-requests.ts';
import { getOnboarding } from '../onboarding/get-onboarding.ts';
import { repository } from '../wiring/repository.ts';

/** GET /onboardings/{id}: status, timeline, and the accounts to choose from while waiting. */
export const handler = httpHandler(async (event) => {
  const { id } = parseParameters(event.pathParameters, onboardingPathSchema);
  return jsonResponse(200, await getOnboarding(id, repository));
});
