import { taskHandler } from '../commons/task-handler.ts';
import { completeWithChosenAccount } from '../onboarding/workflow/complete-with-chosen-account.ts';
import { stepInputSchema } from '../onboarding/workflow/inputs.ts';
import { publish } from '../wiring/onboarding-publisher.ts';
import { now, repository } from '../wiring/repository.ts';
import { fetchSignupPlusAccounts } from '../wiring/signup-plus.ts';

/** Workflow step CompleteWithChosenAccount: the chosen account is read from the record. */
export const handler = taskHandler(stepInputSchema, async (input) => {
  await completeWithChosenAccount(input.onboarding_id, {
    repository,
    publish,
    now,
    fetchAccounts: fetchSignupPlusAccounts,
  });
  return { onboarding_id: input.onboarding_id };
});
