import * as z from 'zod';
import { onboardingIdSchema } from '../get-onboarding.ts';

/**
 * Payloads the state machine hands to each task. They carry references and
 * non-personal fields only: Step Functions keeps every state's input and
 * output in its execution history.
 */
export const stepInputSchema = z.object({ onboarding_id: onboardingIdSchema });

export const accountChoiceWaitInputSchema = stepInputSchema.extend({
  task_token: z.string().min(1).max(2048),
  account_choice_timeout_seconds: z.number().int().positive(),
});

export const chosenAccountInputSchema = stepInputSchema.extend({ account_id: z.string().min(1) });

export const endOnboardingInputSchema = stepInputSchema.extend({
  outcome: z.enum(['failed', 'expired']),
  /**
   * What the Catch recorded when a step failed. Step Functions leaves `Cause`
   * out for some of its own errors, so only `Error` is certain.
   */
  error: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
});
export type EndOnboardingInput = z.infer<typeof endOnboardingInputSchema>;

/** What FetchAccounts returns to the state machine's Choice. */
export const fetchAccountsResultSchema = z.object({
  result: z.enum(['single_account', 'multiple_accounts_linked']),
  account_count: z.number().int().positive(),
});
export type FetchAccountsResult = z.infer<typeof fetchAccountsResultSchema>;
