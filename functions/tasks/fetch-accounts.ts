import { taskHandler } from '../commons/task-handler.ts';
import { fetchAccounts } from '../onboarding/workflow/fetch-accounts.ts';
import { stepInputSchema } from '../onboarding/workflow/inputs.ts';
import { now, repository } from '../wiring/repository.ts';
import { fetchSignupPlusAccounts } from '../wiring/signup-plus.ts';

/** Workflow step FetchAccounts: answers the Choice with single_account or multiple_accounts_linked. */
export const handler = taskHandler(stepInputSchema, (input) =>
  fetchAccounts(input.onboarding_id, { repository, now, fetchAccounts: fetchSignupPlusAccounts }),
);
