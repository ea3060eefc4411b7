import { taskHandler } from '../commons/task-handler.ts';
import { accountChoiceWaitInputSchema } from '../onboarding/workflow/inputs.ts';
import { requestAccountChoice } from '../onboarding/workflow/request-account-choice.ts';
import { publish } from '../wiring/onboarding-publisher.ts';
import { now, repository } from '../wiring/repository.ts';

/** Workflow step WaitForAccountChoice (invoked with .waitForTaskToken). */
export const handler = taskHandler(accountChoiceWaitInputSchema, async (input) => {
  await requestAccountChoice(
    { onboardingId: input.onboarding_id, taskToken: input.task_token },
    { repository, publish, now },
  );
  return { onboarding_id: input.onboarding_id };
});
