import { httpHandler } from '../commons/http/handler.ts';
import { parseParameters } from '../commons/http/request.ts';
import { jsonResponse } from '../commons/http/responses.ts';
import { onboardingPathSchema } from '../contract/onboarding-requests.ts';
import { eraseOnboarding } from '../onboarding/erase-onboarding.ts';
import { forgetEvent } from '../wiring/consumer-records.ts';
import { publish } from '../wiring/onboarding-publisher.ts';
import { now, repository } from '../wiring/repository.ts';

/**
 * DELETE /onboardings/{id}: erases the person's data (the record's personal
 * fields, the journey's secrets, the example consumer's record) and
 * publishes Onboarding Erased for consumers to erase theirs. 202 Accepted:
 * the product's own copy is gone when it answers, the consumers' follows the
 * event. The same answer for every repeat.
 */
export const handler = httpHandler(async (event) => {
  const { id } = parseParameters(event.pathParameters, onboardingPathSchema);
  return jsonResponse(202, await eraseOnboarding(id, { repository, publish, now, forgetEvent }));
});
