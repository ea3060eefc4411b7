import { taskHandler } from '../commons/task-handler.ts';
import { completeOnboarding } from '../onboarding/workflow/complete-onboarding.ts';
import { stepInputSchema } from '../onboarding/workflow/inputs.ts';
import { publish } from '../wiring/onboarding-publisher.ts';
import { now, repository } from '../wiring/repository.ts';

/** Workflow step CompleteOnboarding: publishes Onboarding Ready For Payment. */
export const handler = taskHandler(stepInputSchema, async (input) => {
  await completeOnboarding(input.onboarding_id, { repository, publish, now });
  return { onboarding_id: input.onboarding_id };
});
