import { taskHandler } from '../commons/task-handler.ts';
import { endOnboarding } from '../onboarding/workflow/end-onboarding.ts';
import { endOnboardingInputSchema } from '../onboarding/workflow/inputs.ts';
import { publish } from '../wiring/onboarding-publisher.ts';
import { now, repository } from '../wiring/repository.ts';

/** Workflow steps FailOnboarding and ExpireOnboarding. */
export const handler = taskHandler(endOnboardingInputSchema, async (input) => {
  await endOnboarding(input, { repository, publish, now });
  return { onboarding_id: input.onboarding_id };
});
