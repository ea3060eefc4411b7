import { randomUUID } from 'node:crypto';
import { taskHandler } from '../commons/task-handler.ts';
import { linkAccountsInputSchema } from '../onboarding/workflow/inputs.ts';
import { linkAccounts } from '../onboarding/workflow/link-accounts.ts';
import { exchangeCodeAtTrueLayer } from '../wiring/code-exchange.ts';
import { publish } from '../wiring/onboarding-publisher.ts';
import { now, repository } from '../wiring/repository.ts';
import { fetchSignupPlusAccounts } from '../wiring/signup-plus.ts';

/** Workflow step LinkAccounts: tells the Choice whether the journey ended, waits for a choice, or has one. */
export const handler = taskHandler(linkAccountsInputSchema, (input) =>
  linkAccounts(
    { onboardingId: input.onboarding_id, accountChoiceTimeoutSeconds: input.account_choice_timeout_seconds },
    {
      repository,
      publish,
      now,
      exchangeCode: exchangeCodeAtTrueLayer,
      fetchAccounts: fetchSignupPlusAccounts,
      newAttemptId: randomUUID,
    },
  ),
);
