import { taskHandler } from '../commons/task-handler.ts';
import { stepInputSchema } from '../onboarding/workflow/inputs.ts';
import { linkAccounts } from '../onboarding/workflow/link-accounts.ts';
import { exchangeCodeAtTrueLayer } from '../wiring/code-exchange.ts';
import { publish } from '../wiring/onboarding-publisher.ts';
import { now, repository } from '../wiring/repository.ts';
import { fetchSignupPlusAccounts } from '../wiring/signup-plus.ts';

/** Workflow step LinkAccounts: answers the Choice with single_account or multiple_accounts_linked. */
export const handler = taskHandler(stepInputSchema, (input) =>
  linkAccounts(input.onboarding_id, {
    repository,
    publish,
    now,
    exchangeCode: exchangeCodeAtTrueLayer,
    fetchAccounts: fetchSignupPlusAccounts,
  }),
);
