import { taskHandler } from '../commons/task-handler.ts';
import { completeWithChosenAccount } from '../onboarding/workflow/complete-with-chosen-account.ts';
import { chosenAccountInputSchema } from '../onboarding/workflow/inputs.ts';
import { publish } from '../wiring/onboarding-publisher.ts';
import { now, repository } from '../wiring/repository.ts';
import { fetchSignupPlusAccounts } from '../wiring/signup-plus.ts';

/** Workflow step CompleteWithChosenAccount. */
export const handler = taskHandler(chosenAccountInputSchema, async (input) => {
  await completeWithChosenAccount(
    { onboardingId: input.onboarding_id, accountId: input.account_id },
    { repository, publish, now, fetchAccounts: fetchSignupPlusAccounts },
  );
  return { onboarding_id: input.onboarding_id };
});
