import { taskHandler } from '../commons/task-handler.ts';
import { fetchChosenAccount } from '../onboarding/workflow/fetch-chosen-account.ts';
import { chosenAccountInputSchema } from '../onboarding/workflow/inputs.ts';
import { now, repository } from '../wiring/repository.ts';
import { fetchSignupPlusAccounts } from '../wiring/signup-plus.ts';

/** Workflow step FetchChosenAccount. */
export const handler = taskHandler(chosenAccountInputSchema, async (input) => {
  await fetchChosenAccount(
    { onboardingId: input.onboarding_id, accountId: input.account_id },
    { repository, now, fetchAccounts: fetchSignupPlusAccounts },
  );
  return { onboarding_id: input.onboarding_id };
});
